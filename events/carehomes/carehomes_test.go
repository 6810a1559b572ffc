package carehomes_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
)

var (
	t0  = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	ref = carehomes.RoundRef{RoundID: "r-1", CareHomeID: "home-willow-court", Week: "2026-W48"}
)

// samples holds one of every event with every field set, so the round trip
// below exercises the whole contract.
func samples() []events.Data {
	return []events.Data{
		carehomes.RoundScheduled{RoundRef: ref, Area: "U84001", PlannedStart: t0, ClinicalLead: "gp-amara-okafor", ClinicalLeadRole: "gp"},
		carehomes.ResidentNominated{RoundRef: ref, Patient: "pt-1", NominatedBy: carehomes.NominatorHome, Reason: "two falls this week", Priority: carehomes.PriorityHigh},
		carehomes.NominationWithdrawn{RoundRef: ref, Patient: "pt-1", Reason: "seen by the GP yesterday"},
		carehomes.RoundHeld{RoundRef: ref, Attendees: []carehomes.Attendee{{ClinicianID: "gp-amara-okafor", Role: "gp"}}, StartedAt: t0, EndedAt: t0.Add(2 * time.Hour)},
		carehomes.ResidentReviewed{RoundRef: ref, Patient: "pt-1", ReviewedBy: "gp-amara-okafor", ReviewerRole: "gp", Outcome: "stable", FollowUp: "bloods next week"},
		carehomes.ResidentNotReviewed{RoundRef: ref, Patient: "pt-2", Reason: carehomes.NotReviewedOther, Note: "family visiting"},
		carehomes.ActionRaised{RoundRef: ref, ActionID: "a-1", Patient: "pt-1", Description: "book bloods", OwnerClinicianID: "cn-kate-ward", OwnerRole: "community-nurse", OwnerTeamID: "team-severn-ict", DueOn: "2026-12-01"},
		carehomes.ActionCompleted{RoundRef: ref, ActionID: "a-1", Patient: "pt-1", Note: "done", CompletedAt: t0, DueOn: "2026-12-01", OnTime: true},
		carehomes.RoundClosed{RoundRef: ref, Reviewed: 3, NotReviewed: 1, Withdrawn: 1, OpenActions: 2},
		carehomes.RoundCancelled{RoundRef: ref, Reason: "outbreak in the home", Nominated: []string{"pt-1"}},
		carehomes.ResidentAdmitted{Patient: "pt-1", CareHomeID: "home-willow-court", Area: "U84001", Stay: 2, AdmittedAt: t0, Readmission: true, PrioritisedForSMR: true, WorkingDays: 7, DueOn: "2026-12-03"},
		carehomes.AssessmentCompleted{Patient: "pt-1", CareHomeID: "home-willow-court", Stay: 1, AssessedBy: "gp-amara-okafor", AssessorRole: "gp", CompletedAt: t0, DueOn: "2026-12-03", OnTime: true},
		carehomes.CarePlanAgreed{Patient: "pt-1", CareHomeID: "home-willow-court", Stay: 1, AgreedBy: "gp-amara-okafor", AgreedByRole: "gp", AgreedWith: carehomes.AgreedWithFamily, AgreedAt: t0, DueOn: "2026-12-03", OnTime: true},
		carehomes.ResidentDischarged{Patient: "pt-1", CareHomeID: "home-willow-court", Stay: 1, DischargedAt: t0, Destination: carehomes.DestinationHospital, Note: "999", AssessmentOutstanding: true, CarePlanOutstanding: true},
		carehomes.ResidentDied{Patient: "pt-1", CareHomeID: "home-willow-court", Stay: 1, DiedAt: t0, AssessmentOutstanding: true, CarePlanOutstanding: true},
	}
}

func TestTypeNamesParseAndAreUnique(t *testing.T) {
	reg := carehomes.Registry()
	seen := map[string]bool{}
	for _, e := range samples() {
		name := e.EventType()
		tn, err := events.ParseTypeName(name)
		if err != nil {
			t.Errorf("%T: %q: %v", e, name, err)
			continue
		}
		if tn.Service != "carehomes" || tn.Version != 1 {
			t.Errorf("%T: %q is not a carehomes v1 event", e, name)
		}
		if seen[name] {
			t.Errorf("%q is used twice", name)
		}
		seen[name] = true
	}
	types := reg.Types()
	if len(types) != len(seen) {
		t.Fatalf("registry holds %d types, the samples cover %d: %v", len(types), len(seen), types)
	}
	for _, n := range types {
		if !seen[n] {
			t.Errorf("registered type %q has no sample", n)
		}
	}
}

func TestEventsRoundTrip(t *testing.T) {
	reg := carehomes.Registry()
	for _, e := range samples() {
		t.Run(e.EventType(), func(t *testing.T) {
			assertAllFieldsSet(t, reflect.ValueOf(e), reflect.TypeOf(e).Name())
			env, err := events.New(e, events.Metadata{
				ID: events.NewID(t0), Time: t0, Area: "U84001", CorrelationID: "c-1",
				Actor: events.Actor{ID: "gp-amara-okafor", Role: "gp", Org: "L84001"},
			})
			if err != nil {
				t.Fatal(err)
			}
			env.StreamID, env.StreamVersion = "round-r-1", 1
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

// TestJSONKeysAreCamelCaseAndCarryNoIdentity guards the contract's shape: keys
// are camelCase, and nothing that looks like a patient identifier rides in
// the data.
func TestJSONKeysAreCamelCaseAndCarryNoIdentity(t *testing.T) {
	forbidden := []string{"nhs", "name", "birth", "dob", "address", "postcode"}
	for _, e := range samples() {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if k == "" || k[0] < 'a' || k[0] > 'z' || strings.ContainsAny(k, "_- ") {
				t.Errorf("%s: key %q is not camelCase", e.EventType(), k)
			}
			for _, f := range forbidden {
				if strings.Contains(strings.ToLower(k), f) {
					t.Errorf("%s: key %q looks like patient identity", e.EventType(), k)
				}
			}
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, ok := range []string{"2026-11-23", "2028-02-29"} {
		if d, err := carehomes.ParseDate(ok); err != nil || string(d) != ok || !d.Valid() {
			t.Errorf("ParseDate(%q) = %q, %v", ok, d, err)
		}
	}
	for _, bad := range []string{"", "2026-1-23", "2026-02-30", "23/11/2026", "2026-11-23T00:00:00Z"} {
		if _, err := carehomes.ParseDate(bad); err == nil || carehomes.Date(bad).Valid() {
			t.Errorf("ParseDate(%q) accepted it", bad)
		}
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	// 23:30 UTC on 31 May is 00:30 BST on 1 June.
	if d := carehomes.DateOf(time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC), london); d != "2026-06-01" {
		t.Errorf("DateOf in BST = %s, want 2026-06-01", d)
	}
	if got := carehomes.Date("2026-11-23").Time(); !got.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time() = %v", got)
	}
}

func TestParseWeek(t *testing.T) {
	for s, want := range map[string][2]int{"2026-W48": {2026, 48}, "2026-W01": {2026, 1}, "2026-W53": {2026, 53}} {
		y, w, err := carehomes.ParseWeek(s)
		if err != nil || y != want[0] || w != want[1] {
			t.Errorf("ParseWeek(%q) = %d, %d, %v", s, y, w, err)
		}
	}
	for _, bad := range []string{"", "2026-48", "2026-W0", "2026-W00", "2027-W53", "2026-W+1", "26-W48", "2026-w48"} {
		if _, _, err := carehomes.ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) accepted it", bad)
		}
	}
	if got := carehomes.WeekOf(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), time.UTC); got != "2026-W48" {
		t.Errorf("WeekOf = %s", got)
	}
}

func TestEnumerations(t *testing.T) {
	check := func(name string, valid []string, parse func(string) error) {
		t.Helper()
		for _, v := range valid {
			if err := parse(v); err != nil {
				t.Errorf("%s %q: %v", name, v, err)
			}
		}
		for _, v := range []string{"", "Home", "unknown"} {
			if slices.Contains(valid, v) {
				continue
			}
			if err := parse(v); err == nil || !strings.Contains(err.Error(), valid[0]) {
				t.Errorf("%s %q: err = %v; want a refusal listing the values", name, v, err)
			}
		}
	}
	check("nominator", []string{"home", "mdt"}, func(s string) error { _, err := carehomes.ParseNominator(s); return err })
	check("priority", []string{"urgent", "high", "routine"}, func(s string) error { _, err := carehomes.ParsePriority(s); return err })
	check("not reviewed reason", []string{"asleep", "unwell", "refused", "in-hospital", "time", "other"}, func(s string) error { _, err := carehomes.ParseNotReviewedReason(s); return err })
	check("destination", []string{"hospital", "care-home", "own-home", "hospice", "other"}, func(s string) error { _, err := carehomes.ParseDestination(s); return err })
	check("agreed with", []string{"resident", "family", "representative"}, func(s string) error { _, err := carehomes.ParseAgreedWith(s); return err })
}

func assertAllFieldsSet(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	for i := 0; i < v.NumField(); i++ {
		f, ft := v.Field(i), v.Type().Field(i)
		if ft.Anonymous && f.Kind() == reflect.Struct {
			assertAllFieldsSet(t, f, path)
			continue
		}
		if f.IsZero() {
			t.Errorf("sample %s.%s is zero: set it so the round trip covers it", path, ft.Name)
		}
	}
}
