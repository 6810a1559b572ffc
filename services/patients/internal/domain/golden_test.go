package domain_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/patients"
	"github.com/careweave/careweave/kit/aggregate"
	pd "github.com/careweave/careweave/services/patients/internal/domain"
)

var update = flag.Bool("update", false, "write golden histories that do not exist yet (never rewrites one)")

// history is a recorded stream. A schema change adds a fixture; recorded
// ones are never edited, and today's code must still replay them.
func history(t *testing.T) []events.Envelope {
	t.Helper()
	at := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // the night the clocks go forward
	ref := "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10"
	decided := []events.Data{
		patients.PatientRegistered{Patient: ref, Practice: "L84001", PCN: "U84001", TraceStatus: patients.TraceNotTraced},
		patients.TraceStatusChanged{Patient: ref, TraceStatus: patients.TraceVerified},
		patients.DemographicsChanged{Patient: ref, Changed: []string{"familyName"}},
		patients.PracticeChanged{Patient: ref, FromPractice: "L84001", ToPractice: "L84011", FromPCN: "U84001", ToPCN: "U84002"},
		patients.PatientMerged{Patient: ref, Survivor: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d11"},
	}
	var out []events.Envelope
	for i, d := range decided {
		env, err := events.New(d, events.Metadata{
			ID: events.NewID(at), Time: at.Add(time.Duration(i) * time.Hour), Subject: ref, Area: "U84001",
			CorrelationID: "golden", Actor: events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
		})
		if err != nil {
			t.Fatal(err)
		}
		env.StreamID, env.StreamVersion = "patient-"+ref, int64(i+1)
		out = append(out, env)
	}
	return out
}

func TestGoldenHistoriesReplay(t *testing.T) {
	path := filepath.Join("testdata", "patient_traced_moved_merged.v1.json")
	if _, err := os.Stat(path); os.IsNotExist(err) && *update {
		b, _ := json.MarshalIndent(history(t), "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var envs []events.Envelope
	if err := json.Unmarshal(b, &envs); err != nil {
		t.Fatal(err)
	}
	for _, e := range envs {
		if err := e.Validate(); err != nil {
			t.Fatalf("recorded event %s no longer validates: %v", e.Type, err)
		}
	}
	l, err := aggregate.Replay(typ, "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", envs)
	if err != nil {
		t.Fatal(err)
	}
	want := pd.Patient{Ref: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", Status: pd.StatusMerged, Practice: "L84011", PCN: "U84002",
		TraceStatus: patients.TraceVerified, Survivor: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d11"}
	if l.State != want || l.Version != 5 {
		t.Fatalf("replayed %+v at %d, want %+v at 5", l.State, l.Version, want)
	}
}
