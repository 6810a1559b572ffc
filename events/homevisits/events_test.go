package homevisits_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

var (
	at     = time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	window = homevisits.Window{NotBefore: at, VisitBy: at.Add(2 * time.Hour)}
)

// samples holds one event of every type with every field set, so a round
// trip exercises every JSON tag.
var samples = []events.Data{
	homevisits.VisitRequested{Patient: "pt-0190f4c2", Practice: "L84001", PCN: "U84001", CareHome: "home-willow-court",
		Reason: "Fall overnight, now unable to weight-bear", Source: homevisits.SourceCareHome,
		Caller: homevisits.CallerCareHomeStaff, RequestedAt: at},
	homevisits.VisitTriaged{TriagedBy: "gp-amara-okafor", TriagedByRole: homevisits.RoleGP, Urgency: "urgent",
		Window: window, Notes: "Possible hip fracture", PreviousUrgency: "same-day",
		ClinicianID: "para-jess-patel", Role: homevisits.RoleParamedic, TriagedAt: at},
	homevisits.TriagedWithoutVisit{TriagedBy: "gp-amara-okafor", TriagedByRole: homevisits.RoleGP,
		Outcome: homevisits.TriageAdvice, Notes: "Safety-netted", ClinicianID: "para-jess-patel",
		Role: homevisits.RoleParamedic, TriagedAt: at},
	homevisits.VisitAssigned{ClinicianID: "para-jess-patel", Role: homevisits.RoleParamedic, Urgency: "urgent",
		Window: window, AssignedAt: at},
	homevisits.VisitReassigned{FromClinicianID: "para-jess-patel", FromRole: homevisits.RoleParamedic,
		ClinicianID: "acp-sam-reid", Role: homevisits.RoleAdvancedPractitioner, Reason: "Nearer",
		Urgency: "urgent", Window: window, ReassignedAt: at},
	homevisits.AssignmentAccepted{ClinicianID: "acp-sam-reid", Role: homevisits.RoleAdvancedPractitioner, AcceptedAt: at},
	homevisits.AssignmentTimedOut{ClinicianID: "para-jess-patel", Role: homevisits.RoleParamedic, AssignedAt: at,
		AcceptBy: at.Add(15 * time.Minute), TimedOutAt: at.Add(16 * time.Minute)},
	homevisits.AssignmentDeclined{ClinicianID: "para-jess-patel", Role: homevisits.RoleParamedic,
		Reason: "On another call", DeclinedAt: at},
	homevisits.TravelStarted{ClinicianID: "acp-sam-reid", Role: homevisits.RoleAdvancedPractitioner, StartedAt: at},
	homevisits.ClinicianArrived{ClinicianID: "acp-sam-reid", Role: homevisits.RoleAdvancedPractitioner, ArrivedAt: at},
	homevisits.VisitCompleted{ClinicianID: "acp-sam-reid", Role: homevisits.RoleAdvancedPractitioner,
		Outcome: homevisits.OutcomeConveyedToHospital, Notes: "Shortened, rotated leg; conveyed", CompletedAt: at},
	homevisits.NoAccessRecorded{ClinicianID: "acp-sam-reid", Role: homevisits.RoleAdvancedPractitioner,
		Reason: "No answer; key safe code wrong", RecordedAt: at},
	homevisits.VisitCancelled{Reason: homevisits.CancelDuplicate, Notes: "Daughter also rang", DuplicateOf: "0190f4c2-0000",
		ClinicianID: "acp-sam-reid", Role: homevisits.RoleAdvancedPractitioner, CancelledAt: at},
	homevisits.VisitEscalated{To: homevisits.EscalateTo999, Reason: "Chest pain on arrival", ClinicianID: "acp-sam-reid",
		Role: homevisits.RoleAdvancedPractitioner, EscalatedAt: at},
}

func TestTypeNamesParseAndAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range homevisits.All() {
		name := d.EventType()
		tn, err := events.ParseTypeName(name)
		if err != nil {
			t.Errorf("%T: %q: %v", d, name, err)
			continue
		}
		if tn.Service != "homevisits" || tn.Version != 1 || tn.String() != name {
			t.Errorf("%T: %q is not careweave.homevisits.<event>.v1", d, name)
		}
		if seen[name] {
			t.Errorf("%q is used twice", name)
		}
		seen[name] = true
	}
	if got := len(homevisits.Registry().Types()); got != len(seen) {
		t.Errorf("the registry holds %d types; want %d", got, len(seen))
	}
}

func TestSamplesCoverEveryTypeWithEveryField(t *testing.T) {
	have := map[string]bool{}
	for _, s := range samples {
		have[s.EventType()] = true
		v := reflect.ValueOf(s)
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).IsZero() {
				t.Errorf("sample %T leaves %s zero: set it so the round trip covers it", s, v.Type().Field(i).Name)
			}
		}
	}
	for _, d := range homevisits.All() {
		if !have[d.EventType()] {
			t.Errorf("no sample of %T", d)
		}
	}
}

func TestEveryEventRoundTripsThroughItsEnvelope(t *testing.T) {
	reg := homevisits.Registry()
	for i, want := range samples {
		t.Run(want.EventType(), func(t *testing.T) {
			env, err := events.New(want, events.Metadata{
				ID: events.NewID(at), Time: at, Subject: "pt-0190f4c2", Area: "U84001", CorrelationID: "corr-1",
				Actor: events.Actor{ID: "gp-amara-okafor", Role: "gp", Org: "L84001"},
			})
			if err != nil {
				t.Fatal(err)
			}
			env.StreamID, env.StreamVersion = "visit-0190f4c2", int64(i+1)
			b, err := env.Encode()
			if err != nil {
				t.Fatal(err)
			}
			back, err := events.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			got, err := reg.Decode(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip changed the event:\n got %#v\nwant %#v", got, want)
			}
		})
	}
}

// TestFieldNamesAreCamelCaseAndCarryNoIdentifiers keeps the contracts to our
// JSON convention and away from patient identifiers (Caldicott: the patient
// is the envelope's opaque subject, nothing more).
func TestFieldNamesAreCamelCaseAndCarryNoIdentifiers(t *testing.T) {
	forbidden := []string{"nhs", "name", "birth", "dob", "address", "postcode", "phone"}
	for _, s := range samples {
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatal(err)
		}
		for k := range fields {
			if k == "" || k[0] < 'a' || k[0] > 'z' || strings.ContainsAny(k, "_- ") {
				t.Errorf("%s: field %q is not camelCase", s.EventType(), k)
			}
			for _, f := range forbidden {
				if strings.Contains(strings.ToLower(k), f) {
					t.Errorf("%s: field %q looks like a patient identifier", s.EventType(), k)
				}
			}
		}
	}
}

func TestEventTimesAreUTC(t *testing.T) {
	for _, s := range samples {
		raw, _ := json.Marshal(s)
		if strings.Contains(string(raw), "+01:00") || !strings.Contains(string(raw), "Z\"") {
			t.Errorf("%s: times must be encoded in UTC: %s", s.EventType(), raw)
		}
	}
}

func TestEnumerationsParseOnlyTheirValues(t *testing.T) {
	check := func(name string, values []string, parse func(string) error, valid func(string) bool) {
		t.Helper()
		for _, v := range values {
			if err := parse(v); err != nil || !valid(v) {
				t.Errorf("%s %q: %v", name, v, err)
			}
		}
		for _, bad := range []string{"", "Phone", "unknown", " gp"} {
			if err := parse(bad); err == nil || valid(bad) {
				t.Errorf("%s %q parsed", name, bad)
			}
		}
	}
	check("source", strs(homevisits.Sources()),
		func(s string) error { _, err := homevisits.ParseSource(s); return err },
		func(s string) bool { return homevisits.Source(s).Valid() })
	check("caller", strs(homevisits.Callers()),
		func(s string) error { _, err := homevisits.ParseCaller(s); return err },
		func(s string) bool { return homevisits.Caller(s).Valid() })
	check("role", strs(homevisits.Roles()),
		func(s string) error { _, err := homevisits.ParseRole(s); return err },
		func(s string) bool { return homevisits.Role(s).Valid() })
	check("triage outcome", strs(homevisits.TriageOutcomes()),
		func(s string) error { _, err := homevisits.ParseTriageOutcome(s); return err },
		func(s string) bool { return homevisits.TriageOutcome(s).Valid() })
	check("outcome", strs(homevisits.Outcomes()),
		func(s string) error { _, err := homevisits.ParseOutcome(s); return err },
		func(s string) bool { return homevisits.Outcome(s).Valid() })
	check("cancel reason", strs(homevisits.CancelReasons()),
		func(s string) error { _, err := homevisits.ParseCancelReason(s); return err },
		func(s string) bool { return homevisits.CancelReason(s).Valid() })
	check("escalation target", strs(homevisits.EscalationTargets()),
		func(s string) error { _, err := homevisits.ParseEscalationTarget(s); return err },
		func(s string) bool { return homevisits.EscalationTarget(s).Valid() })

	if _, err := homevisits.ParseSource("fax"); err == nil || err.Error() != "must be one of: phone, online, care-home, 111, other" {
		t.Errorf("ParseSource error = %v; want the list of sources", err)
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
