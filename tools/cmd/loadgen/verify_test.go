package main

import (
	"fmt"
	"slices"
	"testing"
)

// ledgerFixture is a small run: two patients, a stay and a visit for one,
// a review for the other, and a round nominating both (one aggregate, two
// patients; its scheduling records no entry).
func ledgerFixture() ([]accepted, []string) {
	refs := []string{"patient-a", "patient-b"}
	cmd := func(patient int, service, aggr string, prev int64, entries bool, types ...string) accepted {
		return accepted{Name: service + ".cmd", Service: service, Aggr: aggr, Patient: patient, Types: types, Entries: entries,
			Version: prev + int64(len(types)), Produced: int64(len(types))}
	}
	cmds := []accepted{
		cmd(0, "discharge", "stay-1", 0, true, "admitted"),
		cmd(1, "medreviews", "review-1", 0, true, "identified"),
		cmd(0, "discharge", "stay-1", 1, true, "planned"),
		cmd(1, "medreviews", "review-1", 1, true, "recommended", "recommended"),
		cmd(0, "discharge", "stay-1", 2, true, "summary", "closed"),
		cmd(0, "homevisits", "visit-1", 0, true, "requested"),
		cmd(0, "carehomes", "round-1", 0, false, "scheduled"),
		cmd(0, "carehomes", "round-1", 1, true, "nominated"),
		cmd(1, "carehomes", "round-1", 2, true, "nominated"),
		cmd(0, "carehomes", "round-1", 3, false, "held"),
		cmd(1, "carehomes", "round-1", 4, true, "reviewed"),
	}
	return cmds, refs
}

// timelinesOf makes the timelines the stack should show for want, with
// event ids.
func timelinesOf(want map[string][]entryRef) map[string][]entryRef {
	got := map[string][]entryRef{}
	for p, es := range want {
		for i, e := range es {
			e.EventID = fmt.Sprintf("%s-ev-%d", p, i)
			got[p] = append(got[p], e)
		}
	}
	// Entries of other aggregates (the registration, an earlier run) are
	// ignored wherever they are.
	got["patient-a"] = slices.Insert(got["patient-a"], 0, entryRef{Service: "patients", Aggr: "patient-a", Type: "registered", EventID: "reg-a"})
	got["patient-b"] = append(got["patient-b"], entryRef{Service: "discharge", Aggr: "stay-of-an-earlier-run", Type: "admitted", EventID: "old"})
	return got
}

func kinds(diffs []difference) []string {
	var out []string
	for _, d := range diffs {
		out = append(out, d.Kind+" "+d.Patient+" "+d.EventType)
	}
	return out
}

func TestCompareFindsEveryTampering(t *testing.T) {
	cmds, refs := ledgerFixture()
	want, eventDiffs := expectations(cmds, nil, refs)
	if len(eventDiffs) != 0 {
		t.Fatalf("the fixture's commands each recorded what they documented, got %v", eventDiffs)
	}
	if n := len(want["patient-a"]); n != 6 {
		t.Fatalf("patient-a expects %d entries, want 6 (round scheduling and holding show none)", n)
	}
	if d := compare(want, timelinesOf(want)); len(d) != 0 {
		t.Fatalf("untampered timelines differ: %v", kinds(d))
	}

	cases := []struct {
		name   string
		tamper func(got map[string][]entryRef)
		want   []string
	}{
		{"drop one", func(got map[string][]entryRef) {
			got["patient-a"] = slices.Delete(got["patient-a"], 2, 3) // "planned"
		}, []string{"lost patient-a planned"}},
		{"duplicate one", func(got map[string][]entryRef) {
			got["patient-b"] = slices.Insert(got["patient-b"], 2, got["patient-b"][1])
		}, []string{"duplicated patient-b recommended"}},
		{"a second entry for one event, with its own id", func(got map[string][]entryRef) {
			e := got["patient-a"][1]
			e.EventID = "another"
			got["patient-a"] = append(got["patient-a"], e)
		}, []string{"duplicated patient-a admitted"}},
		{"swap two of one aggregate", func(got map[string][]entryRef) {
			es := got["patient-a"]
			es[1], es[2] = es[2], es[1]
		}, []string{"reordered patient-a planned"}},
		{"swap two of different aggregates", func(got map[string][]entryRef) {
			es := got["patient-a"]
			es[4], es[5] = es[5], es[4] // "closed" after "requested"
		}, []string{"reordered patient-a requested"}},
		{"move one to another patient", func(got map[string][]entryRef) {
			e := got["patient-a"][3] // "summary" of stay-1
			got["patient-a"] = slices.Delete(got["patient-a"], 3, 4)
			got["patient-b"] = append(got["patient-b"], e)
		}, []string{"lost patient-a summary", "misplaced patient-b summary"}},
		{"move a round entry to another nominee", func(got map[string][]entryRef) {
			i := slices.IndexFunc(got["patient-b"], func(e entryRef) bool { return e.Type == "reviewed" })
			e := got["patient-b"][i]
			got["patient-b"] = slices.Delete(got["patient-b"], i, i+1)
			got["patient-a"] = append(got["patient-a"], e)
		}, []string{"duplicated patient-a reviewed", "lost patient-b reviewed"}},
		{"a patient's whole timeline missing", func(got map[string][]entryRef) {
			delete(got, "patient-b")
		}, []string{"lost patient-b identified", "lost patient-b recommended", "lost patient-b recommended", "lost patient-b nominated", "lost patient-b reviewed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := timelinesOf(want)
			c.tamper(got)
			if d := kinds(compare(want, got)); !slices.Equal(d, c.want) {
				t.Errorf("differences:\n  %v\nwant\n  %v", d, c.want)
			}
		})
	}
}

func TestExpectationsCheckEventCountsAndLeaveOutUncertainAggregates(t *testing.T) {
	cmds, refs := ledgerFixture()
	cmds[2].Produced = 2 // "planned" recorded two events: not what the service documents
	want, diffs := expectations(cmds, map[string]bool{"review-1": true}, refs)
	if got := kinds(diffs); !slices.Equal(got, []string{"events patient-a discharge.cmd"}) {
		t.Errorf("event count differences = %v", got)
	}
	for _, e := range want["patient-b"] {
		if e.Aggr == "review-1" {
			t.Errorf("an uncertain aggregate is expected: %+v", e)
		}
	}
	if len(want["patient-b"]) != 2 { // the round's nomination and review
		t.Errorf("patient-b expects %v", want["patient-b"])
	}
}
