package main

import (
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/servicetest"
)

// careEventTypes counts the visit events stored about patient, by type.
func careEventTypes(t *testing.T, s *servicetest.Stack, patient string) map[string]int {
	t.Helper()
	rows, err := s.Pool.Query(t.Context(), "SELECT event_type FROM "+s.Schema+".events WHERE subject = $1 AND stream_id LIKE 'visit-%'", patient)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var typ string
		if err := rows.Scan(&typ); err != nil {
			t.Fatal(err)
		}
		out[typ]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTrail checks the patient's trail: exactly one allowed change record
// per visit event stored about them (action change:<type>, status 200 or
// 201, a relationship basis), reads allowed reads of a visit and denied
// denied records (basis none, 403), and nothing else.
func checkTrail(t *testing.T, s *servicetest.Stack, patient string, reads, denied int) []access.AccessRecorded {
	t.Helper()
	recs := s.Trail(patient)
	changes := map[string]int{}
	var gotReads, gotDenied int
	for i, r := range recs {
		if err := r.Validate(); err != nil {
			t.Errorf("record %d is invalid: %v", i, err)
		}
		if !strings.HasPrefix(r.Resource, "/v1/visits") || r.RequestID == "" {
			t.Errorf("record %d: resource %q, request %q", i, r.Resource, r.RequestID)
		}
		switch {
		case r.Outcome == access.Denied:
			gotDenied++
			if r.Basis != access.NoBasis || r.Status != 403 {
				t.Errorf("denied record %d: %s %d", i, r.Basis, r.Status)
			}
		case r.Action == access.ReadRecord:
			gotReads++
			if _, ok := r.Basis.Relationship(); !ok || r.Status != 200 {
				t.Errorf("read record %d: %s %d", i, r.Basis, r.Status)
			}
		case r.Action.IsChange():
			changes[strings.TrimPrefix(string(r.Action), access.ChangePrefix)]++
			if _, ok := r.Basis.Relationship(); !ok || (r.Status != 200 && r.Status != 201) {
				t.Errorf("change record %d: %s %d", i, r.Basis, r.Status)
			}
		default:
			t.Errorf("record %d: action %s", i, r.Action)
		}
	}
	want := careEventTypes(t, s, patient)
	if len(changes) != len(want) {
		t.Errorf("change records by type %v, want one per event: %v", changes, want)
	}
	for typ, n := range want {
		if changes[typ] != n {
			t.Errorf("%d change records of %s, want %d (one per event)", changes[typ], typ, n)
		}
	}
	if gotReads != reads || gotDenied != denied {
		t.Errorf("%d reads and %d denials recorded, want %d and %d", gotReads, gotDenied, reads, denied)
	}
	return recs
}

// recordsOf returns the records of action by actor.
func recordsOf(recs []access.AccessRecorded, actor string, action access.Action) []access.AccessRecorded {
	var out []access.AccessRecorded
	for _, r := range recs {
		if r.ActorID == actor && r.Action == action {
			out = append(out, r)
		}
	}
	return out
}
