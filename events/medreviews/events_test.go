package medreviews_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
)

var at = time.Date(2026, 3, 29, 9, 30, 0, 0, time.UTC)

// samples holds one fully populated value of every event type.
func samples() []events.Data {
	return []events.Data{
		medreviews.CandidateIdentified{Patient: "pt-0190f4c2", Practice: "L84001", PCN: "U84001",
			Criteria: []medreviews.Cohort{medreviews.CohortCareHomeResident, medreviews.CohortPolypharmacy},
			CareHome: "home-willow-court", IdentifiedBy: "gp-amara-okafor", IdentifiedByRole: "gp", IdentifiedAt: at},
		medreviews.ReviewInvited{Channel: medreviews.ChannelLetter, InvitedAt: at, RespondBy: at.AddDate(0, 0, 28), Invitation: 1},
		medreviews.ReviewBooked{AppointmentAt: at.AddDate(0, 0, 7), Mode: medreviews.ModeCareHome, ClinicianID: "pharm-ravi-shah",
			ClinicianRole: medreviews.RoleClinicalPharmacist, CareHome: "home-willow-court", BookedAt: at},
		medreviews.ReviewRebooked{AppointmentAt: at.AddDate(0, 0, 9), PreviousAppointmentAt: at.AddDate(0, 0, 7),
			Mode: medreviews.ModeCareHome, ClinicianID: "pharm-ellen-moss", ClinicianRole: medreviews.RoleClinicalPharmacist,
			CareHome: "home-willow-court", AfterDidNotAttend: true, Reason: "patient asked for a call", RebookedAt: at},
		medreviews.AppointmentNotAttended{AppointmentAt: at, ClinicianID: "pharm-ravi-shah", Count: 1, RecordedAt: at.Add(time.Hour)},
		medreviews.ReviewCompleted{Mode: medreviews.ModeCareHome, ClinicianID: "pharm-ravi-shah", ClinicianRole: medreviews.RoleClinicalPharmacist,
			CareHome: "home-willow-court", CompletedAt: at, Summary: "Reviewed 12 medicines.", SnomedCode: medreviews.SnomedStructuredMedicationReview, FollowUpBy: at.AddDate(0, 0, 90)},
		medreviews.ReviewDeclined{Reason: "does not want a review", DeclinedAt: at, CodeCluster: medreviews.DeclinedCluster},
		medreviews.ReviewClosed{Reason: medreviews.CloseOther, Note: "registered elsewhere", PreviousStatus: "invited", ClosedAt: at},
		medreviews.RecommendationRecorded{RecommendationID: "rec-1", Medicine: medreviews.Medicine{Name: "Zopiclone 7.5mg tablets", DmdCode: "322870003"},
			Action: medreviews.ActionSwitch, Reason: "falls risk", Deprescribing: true,
			SwitchTo: &medreviews.Medicine{Name: "Melatonin 2mg modified-release tablets"}, RecommendedBy: "pharm-ravi-shah",
			RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: at, DecisionDueBy: at.AddDate(0, 0, 14)},
		medreviews.RecommendationRecorded{RecommendationID: "rec-2", Medicine: medreviews.Medicine{Name: "Amitriptyline 25mg tablets"},
			Action: medreviews.ActionChangeDose, Reason: "anticholinergic burden", Deprescribing: true, NewDose: "10mg at night",
			RecommendedBy: "gp-tom-hughes", RecommendedByRole: medreviews.RoleGP, RecordedAt: at, DecisionDueBy: at.AddDate(0, 0, 14)},
		medreviews.RecommendationAccepted{RecommendationID: "rec-1", Medicine: medreviews.Medicine{Name: "Zopiclone 7.5mg tablets"},
			Action: medreviews.ActionSwitch, PrescriberID: "gp-amara-okafor", PrescriberRole: medreviews.RoleGP, EnactedAt: at, Note: "done"},
		medreviews.RecommendationRejected{RecommendationID: "rec-2", Medicine: medreviews.Medicine{Name: "Amlodipine 5mg tablets"},
			Action: medreviews.ActionStop, PrescriberID: "gp-amara-okafor", PrescriberRole: medreviews.RoleGP, Reason: "BP not controlled", RejectedAt: at},
	}
}

func TestTypeNamesParseAndAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range medreviews.All() {
		tn, err := events.ParseTypeName(d.EventType())
		if err != nil {
			t.Errorf("%T: %q: %v", d, d.EventType(), err)
			continue
		}
		if tn.Service != "medreviews" || tn.Version != 1 {
			t.Errorf("%T: %q is not a medreviews v1 type", d, d.EventType())
		}
		if seen[d.EventType()] {
			t.Errorf("%q is used twice", d.EventType())
		}
		seen[d.EventType()] = true
	}
	if got := len(medreviews.Registry().Types()); got != len(seen) {
		t.Errorf("registry holds %d types, want %d", got, len(seen))
	}
}

func TestEveryEventRoundTrips(t *testing.T) {
	reg := medreviews.Registry()
	covered := map[string]map[string]bool{} // type name -> JSON fields set by some sample
	for _, d := range samples() {
		env, err := events.New(d, events.Metadata{
			ID: events.NewID(at), Time: at, Subject: "pt-0190f4c2", Area: "U84001", CorrelationID: "corr-1",
			Actor: events.Actor{ID: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001"},
		})
		if err != nil {
			t.Fatalf("%T: %v", d, err)
		}
		env.StreamID, env.StreamVersion = "review-1", 1
		b, err := env.Encode()
		if err != nil {
			t.Fatalf("%T: encode: %v", d, err)
		}
		back, err := events.Decode(b)
		if err != nil {
			t.Fatalf("%T: decode envelope: %v", d, err)
		}
		got, err := reg.Decode(back)
		if err != nil {
			t.Fatalf("%T: decode data: %v", d, err)
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("%s does not round-trip:\n got %#v\nwant %#v", d.EventType(), got, d)
		}
		if covered[d.EventType()] == nil {
			covered[d.EventType()] = map[string]bool{}
		}
		for _, k := range fieldsOf(t, d.EventType(), env.Data) {
			covered[d.EventType()][k] = true
		}
	}
	// Every field of every type must be set by some sample, so the round
	// trip proves each one survives.
	for _, d := range medreviews.All() {
		if got, want := len(covered[d.EventType()]), reflect.TypeOf(d).NumField(); got != want {
			t.Errorf("samples of %s set %d of its %d fields", d.EventType(), got, want)
		}
	}
}

// fieldsOf returns the JSON fields of an event's data and checks none names
// a patient identifier.
func fieldsOf(t *testing.T, typ string, raw json.RawMessage) []string {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
		lk := strings.ToLower(k)
		for _, banned := range []string{"nhs", "birth", "dob", "address", "postcode", "surname", "forename"} {
			if strings.Contains(lk, banned) {
				t.Errorf("%s field %q looks like a patient identifier", typ, k)
			}
		}
	}
	return keys
}

func TestTimesAreEncodedInUTC(t *testing.T) {
	b, err := json.Marshal(medreviews.ReviewInvited{Channel: medreviews.ChannelSMS, InvitedAt: at, RespondBy: at, Invitation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"invitedAt":"2026-03-29T09:30:00Z"`) {
		t.Fatalf("time not in UTC: %s", b)
	}
}

func TestEnumerationsParse(t *testing.T) {
	for _, c := range medreviews.Cohorts() {
		if got, err := medreviews.ParseCohort(string(c)); err != nil || got != c || !c.Valid() {
			t.Errorf("cohort %q: %v", c, err)
		}
	}
	for _, c := range medreviews.Channels() {
		if got, err := medreviews.ParseChannel(string(c)); err != nil || got != c || !c.Valid() {
			t.Errorf("channel %q: %v", c, err)
		}
	}
	for _, m := range medreviews.Modes() {
		if got, err := medreviews.ParseMode(string(m)); err != nil || got != m || !m.Valid() {
			t.Errorf("mode %q: %v", m, err)
		}
	}
	for _, r := range medreviews.ClinicianRoles() {
		if got, err := medreviews.ParseClinicianRole(string(r)); err != nil || got != r || !r.Valid() {
			t.Errorf("role %q: %v", r, err)
		}
	}
	for _, a := range medreviews.Actions() {
		if got, err := medreviews.ParseAction(string(a)); err != nil || got != a || !a.Valid() {
			t.Errorf("action %q: %v", a, err)
		}
	}
	for _, r := range medreviews.CloseReasons() {
		if got, err := medreviews.ParseCloseReason(string(r)); err != nil || got != r || !r.Valid() {
			t.Errorf("close reason %q: %v", r, err)
		}
	}
	if got := len(medreviews.Cohorts()); got != 12 {
		t.Errorf("%d cohorts, want the 12 national ones", got)
	}
	bad := []func() error{
		func() error { _, err := medreviews.ParseCohort("Opioids"); return err },
		func() error { _, err := medreviews.ParseChannel("email"); return err },
		func() error { _, err := medreviews.ParseMode(""); return err },
		func() error { _, err := medreviews.ParseClinicianRole("paramedic"); return err },
		func() error { _, err := medreviews.ParseAction("reduce"); return err },
		func() error { _, err := medreviews.ParseCloseReason("died"); return err },
	}
	for i, f := range bad {
		if f() == nil {
			t.Errorf("bad value %d parsed", i)
		}
	}
}
