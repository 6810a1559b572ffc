package main

import (
	"math"
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
)

// simulate drives a workload without a stack: every command "answers" at once.
func simulate(w *workload, journeys int) (kinds map[string]int, pathways map[string]int, names []string) {
	kinds, pathways = map[string]int{}, map[string]int{}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for range journeys {
		j := w.newJourney()
		if j == nil {
			continue
		}
		kinds[j.Kind]++
		j.Aggr = "aggr"
		for !j.done() {
			c := j.steps[j.next](j, now)
			names = append(names, c.Name)
			if c.Name == "discharge.plan" {
				pathways[string(c.Body.(map[string]any)["pathway"].(discharge.Pathway))]++
			}
			j.next++
		}
		w.release(j)
	}
	return kinds, pathways, names
}

func TestTheWorkloadIsSeededAndFollowsTheMix(t *testing.T) {
	const n = 20_000
	kinds, pathways, names := simulate(newWorkload(7, 1000, residentsFor(1000)), n)
	_, _, again := simulate(newWorkload(7, 1000, residentsFor(1000)), n)
	if len(names) != len(again) {
		t.Fatalf("the same seed made %d and %d commands", len(names), len(again))
	}
	for i := range names {
		if names[i] != again[i] {
			t.Fatalf("the same seed made command %d %s, then %s", i, names[i], again[i])
		}
	}
	for _, m := range journeyMix {
		if got := float64(kinds[m.kind]) / n * 100; math.Abs(got-float64(m.weight)) > 1.5 {
			t.Errorf("%s: %.1f %% of journeys, want about %d %%", m.kind, got, m.weight)
		}
	}
	total := 0
	for _, k := range pathways {
		total += k
	}
	for _, m := range pathwayMix {
		if got := float64(pathways[string(m.pathway)]) / float64(total) * 100; math.Abs(got-float64(m.weight)) > 2 {
			t.Errorf("%s: %.1f %% of discharges, want about %d %%", m.pathway, got, m.weight)
		}
	}
}

func TestAPatientIsInOneJourneyAtATime(t *testing.T) {
	w := newWorkload(1, 30, residentsFor(30))
	held := map[int]bool{}
	var open []*journey
	for range 200 {
		j := w.newJourney()
		if j == nil {
			// Everyone is busy: finish the oldest journey, freeing its patients.
			if len(open) == 0 {
				continue
			}
			for _, p := range open[0].Patients {
				delete(held, p)
			}
			w.release(open[0])
			open = open[1:]
			continue
		}
		for _, p := range j.Patients {
			if held[p] {
				t.Fatalf("patient %d is in two journeys", p)
			}
			held[p] = true
		}
		open = append(open, j)
	}
}
