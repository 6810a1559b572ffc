package patients_test

import (
	"encoding/json"
	"testing"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/patients"
)

func TestContracts(t *testing.T) {
	samples := []events.Data{
		patients.PatientRegistered{Patient: "p", Practice: "L84001", PCN: "U84001", TraceStatus: patients.TraceVerified},
		patients.DemographicsChanged{Patient: "p", Changed: []string{"familyName"}},
		patients.TraceStatusChanged{Patient: "p", TraceStatus: patients.TraceNoMatch},
		patients.PracticeChanged{Patient: "p", FromPractice: "a", ToPractice: "b", FromPCN: "c", ToPCN: "d"},
		patients.PatientMerged{Patient: "p", Survivor: "q"},
	}
	reg := patients.Registry()
	if len(reg.Types()) != len(samples) {
		t.Fatalf("registry has %d types, want %d", len(reg.Types()), len(samples))
	}
	for _, s := range samples {
		tn, err := events.ParseTypeName(s.EventType())
		if err != nil || tn.Service != "patients" {
			t.Fatalf("%s: %v", s.EventType(), err)
		}
		raw, _ := json.Marshal(s)
		back, err := reg.Decode(events.Envelope{Type: s.EventType(), SchemaVersion: tn.Version, Data: raw})
		again, _ := json.Marshal(back)
		if err != nil || string(again) != string(raw) {
			t.Fatalf("%s does not round-trip: %s vs %s (%v)", s.EventType(), again, raw, err)
		}
	}
	for _, s := range []patients.TraceStatus{"00", "09", "1", ""} {
		if s.Valid() {
			t.Errorf("trace status %q accepted", s)
		}
	}
}
