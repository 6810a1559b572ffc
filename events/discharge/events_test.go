package discharge_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
)

var at = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// samples holds one fully populated value of every event type.
func samples() []events.Data {
	return []events.Data{
		discharge.PatientAdmitted{StayID: "stay-0001", Patient: "pt-0190f4c2", HospitalSite: "RTE01", Ward: "Ward 7B",
			AdmittedAt: at, Method: discharge.AdmissionEmergency, Practice: "L84001", PCN: "U84001"},
		discharge.DischargePlanned{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-27", PreviousExpectedDate: "2026-11-25", PlannedAt: at},
		discharge.PathwayChanged{From: discharge.PathwayP1, To: discharge.PathwayP2, Reason: discharge.PathwayNeedsIncreased, ChangedAt: at},
		discharge.PatientDischarged{DischargedAt: at, Method: discharge.DischargeHospitalTransport, Destination: discharge.DestinationCareHome,
			CareHomeID: "home-willow-court", Pathway: discharge.PathwayP3, Needs: []discharge.FollowUpNeed{discharge.NeedEquipment, discharge.NeedMedicationSupport},
			HospitalSite: "RTE01", Ward: "Ward 7B", Practice: "L84001", SummaryDueBy: at.Add(24 * time.Hour), FollowUpDueBy: at.Add(72 * time.Hour)},
		discharge.DischargeCancelled{Reason: discharge.CancelTransportUnavailable, CancelledAt: at, DischargedAt: at.Add(-time.Hour),
			FollowUpTeamID: "team-severn-ict", MedicinesPharmacy: "FA123", ReadmissionStayID: "stay-0002"},
		discharge.DischargeSummaryReceived{ReceivedAt: at, DueBy: at.Add(-time.Hour), Late: true},
		discharge.MedicinesServiceReferred{Pharmacy: "FA123", ReferredAt: at, FirstCheckDueBy: at.Add(72 * time.Hour), PreviousPharmacy: "FB456"},
		discharge.FollowUpAssigned{TeamID: "team-severn-ict", AssignedAt: at, DueBy: at.Add(24 * time.Hour), PreviousTeamID: "team-severn-social",
			DischargedAt: at, Pathway: discharge.PathwayP3, Needs: []discharge.FollowUpNeed{discharge.NeedReablement},
			Destination: discharge.DestinationCareHome, CareHomeID: "home-willow-court", Practice: "L84001"},
		discharge.FollowUpCompleted{TeamID: "team-severn-ict", ClinicianID: "dn-maria-silva", ClinicianRole: "district-nurse",
			Outcome: discharge.OutcomeNeedsMet, CompletedAt: at, DueBy: at.Add(time.Hour)},
		discharge.FollowUpMissed{TeamID: "team-severn-ict", Reason: discharge.MissedNoAccess, DueBy: at, RecordedAt: at.Add(time.Hour)},
		discharge.ReadmissionDetected{NewStayID: "stay-0002", ReadmittedAt: at, AdmissionMethod: discharge.AdmissionEmergency,
			DaysSinceDischarge: 29, DischargedAt: at.Add(-29 * 24 * time.Hour), Pathway: discharge.PathwayP1},
		discharge.StayClosed{ClosedAt: at, FollowUp: discharge.ClosureFollowUpCompleted, SummaryLate: true},
	}
}

func TestTypeNamesParseAreUniqueAndBelongToTheService(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range discharge.All() {
		name := e.EventType()
		tn, err := events.ParseTypeName(name)
		if err != nil {
			t.Errorf("%T: type name %q: %v", e, name, err)
			continue
		}
		if tn.Service != discharge.Service || tn.Version != 1 {
			t.Errorf("%T: type name %q: want service %q, version 1", e, name, discharge.Service)
		}
		if seen[name] {
			t.Errorf("%T: type name %q used twice", e, name)
		}
		seen[name] = true
	}
	if got := len(discharge.Registry().Types()); got != len(discharge.All()) {
		t.Errorf("registry holds %d types; want %d", got, len(discharge.All()))
	}
}

func TestSamplesCoverEveryType(t *testing.T) {
	want := map[string]bool{}
	for _, e := range discharge.All() {
		want[e.EventType()] = true
	}
	for _, e := range samples() {
		delete(want, e.EventType())
	}
	if len(want) != 0 {
		t.Fatalf("no sample of %v", want)
	}
}

func TestEveryEventRoundTripsThroughItsEnvelope(t *testing.T) {
	reg := discharge.Registry()
	for _, e := range samples() {
		t.Run(e.EventType(), func(t *testing.T) {
			env, err := events.New(e, events.Metadata{
				ID: events.NewID(at), Time: at, Subject: "pt-0190f4c2", Area: "U84001", CorrelationID: "corr-1",
				Actor: events.Actor{ID: "dc-hannah-lee", Role: "discharge-coordinator", Org: "RTE"},
			})
			if err != nil {
				t.Fatal(err)
			}
			env.StreamID, env.StreamVersion = "stay-0001", 1
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
			if !reflect.DeepEqual(got, e) {
				t.Fatalf("round trip changed the event:\n got %#v\nwant %#v", got, e)
			}
		})
	}
}

func TestSamplesSetEveryField(t *testing.T) {
	// A zero field in a sample would let a missing json tag or a lossy
	// encoding slip through the round-trip test. Booleans may be false.
	for _, e := range samples() {
		v := reflect.ValueOf(e)
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Kind() != reflect.Bool && f.IsZero() {
				t.Errorf("%T.%s is zero in the sample", e, v.Type().Field(i).Name)
			}
		}
	}
}

// TestFieldNamesAreCamelCaseAndCarryNoIdentity guards the contract's wire
// names: camelCase, and nothing that would carry who the patient is.
func TestFieldNamesAreCamelCaseAndCarryNoIdentity(t *testing.T) {
	forbidden := []string{"nhs", "name", "birth", "dob", "address", "postcode"}
	for _, e := range samples() {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(b, &fields); err != nil {
			t.Fatal(err)
		}
		for k := range fields {
			if k == "" || k[0] < 'a' || k[0] > 'z' || strings.ContainsAny(k, "_- ") {
				t.Errorf("%s: field %q is not camelCase", e.EventType(), k)
			}
			for _, f := range forbidden {
				if strings.Contains(strings.ToLower(k), f) {
					t.Errorf("%s: field %q looks like patient identity", e.EventType(), k)
				}
			}
		}
	}
}

func TestTimesAreUTC(t *testing.T) {
	// The envelope encodes times in RFC 3339; a non-UTC time in data would
	// round-trip with its offset and compare unequal in consumers' maps.
	b, err := json.Marshal(discharge.PatientAdmitted{AdmittedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"admittedAt":"2026-11-23T09:30:00Z"`) {
		t.Fatalf("admittedAt not encoded in UTC: %s", b)
	}
}

func TestEnumerationsParseTheirMembersAndRejectOthers(t *testing.T) {
	check := func(kind string, members []string, parse func(string) (string, error), valid func(string) bool) {
		t.Helper()
		if len(members) == 0 {
			t.Fatalf("%s has no members", kind)
		}
		for _, m := range members {
			got, err := parse(m)
			if err != nil || got != m || !valid(m) {
				t.Errorf("%s %q: parse = %q, %v; valid = %v", kind, m, got, err, valid(m))
			}
		}
		for _, bad := range []string{"", "unknown", strings.ToUpper(members[0]) + "x", strings.Repeat("x", 100)} {
			if _, err := parse(bad); err == nil || valid(bad) {
				t.Errorf("%s %q: accepted", kind, bad)
			} else if len(err.Error()) > 200 {
				t.Errorf("%s: error echoes a long input: %v", kind, err)
			}
		}
	}
	check("admission method", strs(discharge.AdmissionMethods()),
		func(s string) (string, error) { v, err := discharge.ParseAdmissionMethod(s); return string(v), err },
		func(s string) bool { return discharge.AdmissionMethod(s).Valid() })
	check("pathway", strs(discharge.Pathways()),
		func(s string) (string, error) { v, err := discharge.ParsePathway(s); return string(v), err },
		func(s string) bool { return discharge.Pathway(s).Valid() })
	check("pathway change reason", strs(discharge.PathwayChangeReasons()),
		func(s string) (string, error) { v, err := discharge.ParsePathwayChangeReason(s); return string(v), err },
		func(s string) bool { return discharge.PathwayChangeReason(s).Valid() })
	check("discharge method", strs(discharge.DischargeMethods()),
		func(s string) (string, error) { v, err := discharge.ParseDischargeMethod(s); return string(v), err },
		func(s string) bool { return discharge.DischargeMethod(s).Valid() })
	check("destination", strs(discharge.Destinations()),
		func(s string) (string, error) { v, err := discharge.ParseDestination(s); return string(v), err },
		func(s string) bool { return discharge.Destination(s).Valid() })
	check("follow-up need", strs(discharge.FollowUpNeeds()),
		func(s string) (string, error) { v, err := discharge.ParseFollowUpNeed(s); return string(v), err },
		func(s string) bool { return discharge.FollowUpNeed(s).Valid() })
	check("cancel reason", strs(discharge.CancelReasons()),
		func(s string) (string, error) { v, err := discharge.ParseCancelReason(s); return string(v), err },
		func(s string) bool { return discharge.CancelReason(s).Valid() })
	check("follow-up outcome", strs(discharge.FollowUpOutcomes()),
		func(s string) (string, error) { v, err := discharge.ParseFollowUpOutcome(s); return string(v), err },
		func(s string) bool { return discharge.FollowUpOutcome(s).Valid() })
	check("missed reason", strs(discharge.MissedReasons()),
		func(s string) (string, error) { v, err := discharge.ParseMissedReason(s); return string(v), err },
		func(s string) bool { return discharge.MissedReason(s).Valid() })
	check("follow-up closure", strs(discharge.FollowUpClosures()),
		func(s string) (string, error) { v, err := discharge.ParseFollowUpClosure(s); return string(v), err },
		func(s string) bool { return discharge.FollowUpClosure(s).Valid() })
}

func TestPathwayBedBased(t *testing.T) {
	for p, want := range map[discharge.Pathway]bool{"P0": false, "P1": false, "P2": true, "P3": true} {
		if p.BedBased() != want {
			t.Errorf("%s.BedBased() = %v", p, !want)
		}
	}
}

func TestMissedReasonCertain(t *testing.T) {
	for _, r := range discharge.MissedReasons() {
		want := r == discharge.MissedPatientDeclined || r == discharge.MissedPatientReadmitted
		if r.Certain() != want {
			t.Errorf("%s.Certain() = %v", r, !want)
		}
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
