package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"sync"
	"time"
)

// entryRef is one timeline entry as verification sees it: which aggregate
// (service and id) it came from and its event type; EventID is empty for
// an expected entry.
type entryRef struct {
	Service string
	Aggr    string
	Type    string
	EventID string
}

func (e entryRef) aggregate() string { return e.Service + "/" + e.Aggr }

// Difference kinds.
const (
	diffLost       = "lost"       // an expected entry is not on the patient's timeline
	diffDuplicated = "duplicated" // an entry is there twice (same event id) or more often than its command recorded
	diffMisplaced  = "misplaced"  // an entry of one of this run's aggregates is on another patient's timeline
	diffReordered  = "reordered"  // the patient's entries are all there, in another order than their commands
	diffEvents     = "events"     // a command recorded another number of events than the service documents
)

// difference is one way a timeline differs from what was accepted.
type difference struct {
	Kind      string `json:"kind"`
	Patient   string `json:"patient"` // the registry's opaque reference, never an NHS number
	Aggregate string `json:"aggregate"`
	EventType string `json:"eventType"`
	Detail    string `json:"detail,omitempty"`
}

func (d difference) String() string {
	s := fmt.Sprintf("%-10s patient %s  %s  %s", d.Kind, d.Patient, d.Aggregate, d.EventType)
	if d.Detail != "" {
		s += "  (" + d.Detail + ")"
	}
	return s
}

// compare checks that each patient's timeline (actual, in timeline order)
// holds exactly the entries of expected (in the order their commands were
// accepted) among the entries of this run's aggregates: each once, on the
// right patient, in order. Entries of other aggregates (earlier runs, the
// registration) are ignored.
func compare(expected, actual map[string][]entryRef) []difference {
	ours := map[string]bool{}
	for _, es := range expected {
		for _, e := range es {
			ours[e.aggregate()] = true
		}
	}
	patients := make([]string, 0, len(expected)+len(actual))
	for p := range expected {
		patients = append(patients, p)
	}
	for p := range actual {
		if _, ok := expected[p]; !ok {
			patients = append(patients, p)
		}
	}
	sort.Strings(patients)
	var diffs []difference
	for _, p := range patients {
		diffs = append(diffs, comparePatient(p, expected[p], actual[p], ours)...)
	}
	return diffs
}

func comparePatient(patient string, want, got []entryRef, ours map[string]bool) []difference {
	var diffs []difference
	mine := map[string]bool{}
	for _, e := range want {
		mine[e.aggregate()] = true
	}
	seen := map[string]bool{}
	var kept []entryRef
	for _, e := range got {
		if !ours[e.aggregate()] {
			continue
		}
		switch {
		case e.EventID != "" && seen[e.EventID]:
			diffs = append(diffs, difference{Kind: diffDuplicated, Patient: patient, Aggregate: e.aggregate(), EventType: e.Type, Detail: "event " + e.EventID + " shown twice"})
			continue
		case !mine[e.aggregate()]:
			diffs = append(diffs, difference{Kind: diffMisplaced, Patient: patient, Aggregate: e.aggregate(), EventType: e.Type, Detail: "the aggregate is another patient's"})
			continue
		}
		seen[e.EventID] = true
		kept = append(kept, e)
	}
	type slot struct{ aggr, typ string }
	count := map[slot]int{}
	for _, e := range want {
		count[slot{e.aggregate(), e.Type}]++
	}
	for _, e := range kept {
		count[slot{e.aggregate(), e.Type}]--
	}
	balanced := true
	for _, e := range want { // in order, so the first differences come first
		s := slot{e.aggregate(), e.Type}
		for ; count[s] > 0; count[s]-- {
			diffs = append(diffs, difference{Kind: diffLost, Patient: patient, Aggregate: s.aggr, EventType: s.typ})
			balanced = false
		}
	}
	for _, e := range kept {
		s := slot{e.aggregate(), e.Type}
		for ; count[s] < 0; count[s]++ {
			diffs = append(diffs, difference{Kind: diffDuplicated, Patient: patient, Aggregate: s.aggr, EventType: s.typ, Detail: "more entries than its commands recorded: a repeat, or another patient's"})
			balanced = false
		}
	}
	if !balanced {
		return diffs
	}
	for i := range want {
		if want[i].aggregate() != kept[i].aggregate() || want[i].Type != kept[i].Type {
			return append(diffs, difference{Kind: diffReordered, Patient: patient, Aggregate: kept[i].aggregate(), EventType: kept[i].Type,
				Detail: fmt.Sprintf("entry %d of this run's %d; expected %s %s there", i+1, len(want), want[i].aggregate(), want[i].Type)})
		}
	}
	return diffs
}

// expectations turns the ledger into what each patient's timeline must
// show, leaving out aggregates a command may or may not have changed. It
// also returns a difference for each command that recorded another number
// of events than documented.
func expectations(cmds []accepted, uncertain map[string]bool, refs []string) (map[string][]entryRef, []difference) {
	want := map[string][]entryRef{}
	var diffs []difference
	for _, a := range cmds {
		if uncertain[a.Aggr] {
			continue
		}
		ref := refs[a.Patient]
		if a.Produced != int64(len(a.Types)) {
			diffs = append(diffs, difference{Kind: diffEvents, Patient: ref, Aggregate: a.Service + "/" + a.Aggr, EventType: a.Name,
				Detail: fmt.Sprintf("answered version %d: %d events, expected %d", a.Version, a.Produced, len(a.Types))})
		}
		if !a.Entries {
			continue
		}
		if _, ok := want[ref]; !ok {
			want[ref] = nil
		}
		for _, t := range a.Types {
			want[ref] = append(want[ref], entryRef{Service: a.Service, Aggr: a.Aggr, Type: t})
		}
	}
	return want, diffs
}

// verification is what verify found.
type verification struct {
	Commands    int          `json:"commands"`
	Patients    int          `json:"patients"`
	Entries     int          `json:"entries"`
	Uncertain   int          `json:"uncertainAggregates"`
	Differences []difference `json:"differences"`
	Total       int          `json:"differenceCount"`
	Waited      float64      `json:"waitedSeconds"`
}

// verify waits, up to cfg.CatchUp, until every touched patient's timeline
// holds the run's entries, then compares them all.
func verify(ctx context.Context, c *client, l *ledger, refs []string, from time.Time, catchUp time.Duration, progress io.Writer) (verification, error) {
	cmds, uncertain := l.snapshot()
	want, eventDiffs := expectations(cmds, uncertain, refs)
	v := verification{Commands: len(cmds), Patients: len(want), Uncertain: len(uncertain)}
	for _, es := range want {
		v.Entries += len(es)
	}
	start := time.Now()
	pending := make([]string, 0, len(want))
	for p := range want {
		pending = append(pending, p)
	}
	sort.Strings(pending)
	got := map[string][]entryRef{}
	ours := ourAggregates(want)
	for round := 1; ; round++ {
		read, err := readTimelines(ctx, c, pending, from)
		if err != nil {
			return v, err
		}
		for p, es := range read {
			got[p] = es
		}
		var next []string
		lost := 0
		for _, p := range pending {
			d := comparePatient(p, want[p], got[p], ours)
			if slices.ContainsFunc(d, func(d difference) bool { return d.Kind == diffLost }) {
				next = append(next, p)
				lost++
			}
		}
		fmt.Fprintf(progress, "loadgen verify: round %d, %d of %d patients' timelines complete, %d waiting for entries (%.0fs)\n",
			round, len(want)-lost, len(want), lost, time.Since(start).Seconds())
		if len(next) == 0 || time.Since(start) > catchUp {
			break
		}
		pending = next
		if !sleep(ctx, time.Second) {
			return v, ctx.Err()
		}
	}
	v.Waited = time.Since(start).Seconds()
	diffs := append(eventDiffs, compare(want, got)...)
	v.Total = len(diffs)
	v.Differences = diffs[:min(len(diffs), 50)]
	return v, nil
}

func ourAggregates(want map[string][]entryRef) map[string]bool {
	ours := map[string]bool{}
	for _, es := range want {
		for _, e := range es {
			ours[e.aggregate()] = true
		}
	}
	return ours
}

// readTimelines reads the whole timeline, from the run's start, of each
// patient, eight at a time.
func readTimelines(ctx context.Context, c *client, patients []string, from time.Time) (map[string][]entryRef, error) {
	out := make(map[string][]entryRef, len(patients))
	var mu sync.Mutex
	var firstErr error
	work := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for p := range work {
				es, err := readTimeline(ctx, c, p, from)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[p] = es
				mu.Unlock()
			}
		})
	}
	for _, p := range patients {
		work <- p
	}
	close(work)
	wg.Wait()
	return out, firstErr
}

func readTimeline(ctx context.Context, c *client, patient string, from time.Time) ([]entryRef, error) {
	base := "/v1/patients/" + patient + "/timeline?limit=500&from=" + url.QueryEscape(ts(from))
	var out []entryRef
	for path := base; ; {
		var page timelinePage
		if err := c.getJSON(ctx, "query", path, coordinator, &page); err != nil {
			return nil, fmt.Errorf("read a timeline: %w", err)
		}
		for _, e := range page.Entries {
			out = append(out, entryRef{Service: e.Source.Service, Aggr: e.Source.ID, Type: e.EventType, EventID: e.EventID})
		}
		if page.NextCursor == "" {
			return out, nil
		}
		path = base + "&cursor=" + url.QueryEscape(page.NextCursor)
	}
}
