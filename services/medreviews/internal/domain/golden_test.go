package domain_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

// update records the golden histories that have no file yet. It never
// rewrites one: a recorded history is never edited, so a schema change adds a
// fixture (and a golden entry) instead.
var update = flag.Bool("update", false, "record missing golden histories in testdata/")

// step is one recorded event: what happened, when, and who did it.
type step struct {
	at    time.Time
	actor events.Actor
	data  events.Data
}

var (
	actorGP          = events.Actor{ID: gp, Role: "gp", Org: practice}
	actorCoordinator = events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: pcn}
	actorPharmacist  = events.Actor{ID: pharmacist, Role: "clinical-pharmacist", Org: pcn}
)

// golden is one recorded history and what replaying it must give.
type golden struct {
	file    string
	id      string
	history func() []step
	check   func(t *testing.T, s mr.ReviewState)
}

var goldens = []golden{
	{
		file: "review_completed_with_decisions.v1.json", id: "0190f4c2-0001",
		history: func() []step {
			moved := time.Date(2026, 3, 18, 11, 0, 0, 0, time.UTC)
			done := moved.Add(50 * time.Minute)
			decided := done.AddDate(0, 0, 2)
			r1 := medreviews.RecommendationRecorded{RecommendationID: "rec-1",
				Medicine: medreviews.Medicine{Name: "Omeprazole 20mg gastro-resistant capsules", DmdCode: "317302007"},
				Action:   medreviews.ActionStop, Reason: "No ongoing indication; on it for 6 years", Deprescribing: true,
				RecommendedBy: pharmacist, RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: done, DecisionDueBy: done.AddDate(0, 0, 14)}
			r2 := medreviews.RecommendationRecorded{RecommendationID: "rec-2",
				Medicine: medreviews.Medicine{Name: "Zopiclone 7.5mg tablets"}, Action: medreviews.ActionSwitch,
				Reason: "Two falls in three months", Deprescribing: true, SwitchTo: &medreviews.Medicine{Name: "Melatonin 2mg modified-release tablets"},
				RecommendedBy: pharmacist, RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: done, DecisionDueBy: done.AddDate(0, 0, 14)}
			r3 := medreviews.RecommendationRecorded{RecommendationID: "rec-3",
				Medicine: medreviews.Medicine{Name: "Amitriptyline 25mg tablets"}, Action: medreviews.ActionChangeDose,
				Reason: "Anticholinergic burden", Deprescribing: true, NewDose: "10mg at night",
				RecommendedBy: pharmacist, RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: done, DecisionDueBy: done.AddDate(0, 0, 14)}
			return []step{
				{tIdentified, actorGP, identified()},
				{tInvited, actorCoordinator, invited()},
				{tBooked, actorCoordinator, booked()},
				{tBooked.Add(time.Hour), actorCoordinator, medreviews.ReviewRebooked{AppointmentAt: moved, PreviousAppointmentAt: tAppt,
					Mode: medreviews.ModeCareHome, ClinicianID: pharmacist, ClinicianRole: medreviews.RoleClinicalPharmacist,
					CareHome: careHome, Reason: "Home has an outbreak that week", RebookedAt: tBooked.Add(time.Hour)}},
				{done, actorPharmacist, medreviews.ReviewCompleted{Mode: medreviews.ModeCareHome, ClinicianID: pharmacist,
					ClinicianRole: medreviews.RoleClinicalPharmacist, CareHome: careHome, CompletedAt: done,
					Summary: "Reviewed 11 medicines with the resident and the nurse in charge.", SnomedCode: "1239511000000100",
					FollowUpBy: done.AddDate(0, 0, 90)}},
				{done, actorPharmacist, r1},
				{done, actorPharmacist, r2},
				{done, actorPharmacist, r3},
				{decided, actorGP, medreviews.RecommendationAccepted{RecommendationID: "rec-1", Medicine: r1.Medicine, Action: r1.Action,
					PrescriberID: gp, PrescriberRole: medreviews.RoleGP, EnactedAt: decided, Note: "Stopped; review in 4 weeks"}},
				{decided, actorGP, medreviews.RecommendationRejected{RecommendationID: "rec-2", Medicine: r2.Medicine, Action: r2.Action,
					PrescriberID: gp, PrescriberRole: medreviews.RoleGP, Reason: "Patient wants to try sleep hygiene first", RejectedAt: decided}},
			}
		},
		check: func(t *testing.T, s mr.ReviewState) {
			if s.Status != mr.StatusCompleted || s.Completion == nil || s.Completion.SnomedCode != "1239511000000100" ||
				s.Completion.ClinicianID != pharmacist || !s.Appointment.At.Equal(time.Date(2026, 3, 18, 11, 0, 0, 0, time.UTC)) {
				t.Fatalf("review: %+v", s)
			}
			want := map[string]mr.RecommendationStatus{"rec-1": mr.RecommendationAccepted, "rec-2": mr.RecommendationRejected, "rec-3": mr.RecommendationRecommended}
			if len(s.Recommendations) != len(want) {
				t.Fatalf("%d recommendations, want %d", len(s.Recommendations), len(want))
			}
			for id, status := range want {
				r, ok := s.Recommendation(id)
				if !ok || r.Status != status || r.Enacted() != (status == mr.RecommendationAccepted) {
					t.Errorf("%s: %+v; want %s", id, r, status)
				}
			}
			if r, _ := s.Recommendation("rec-2"); r.SwitchTo == nil || r.SwitchTo.Name != "Melatonin 2mg modified-release tablets" ||
				r.Decision.Reason != "Patient wants to try sleep hygiene first" {
				t.Errorf("rec-2: %+v", r)
			}
			if r, _ := s.Recommendation("rec-3"); r.NewDose != "10mg at night" || r.Decision != nil {
				t.Errorf("rec-3: %+v", r)
			}
		},
	},
	{
		file: "review_did_not_attend_then_declined.v1.json", id: "0190f4c2-0002",
		history: func() []step {
			home := identifiedAtHome()
			home.Criteria = []medreviews.Cohort{medreviews.CohortOpioids, medreviews.CohortGabapentinoids}
			return []step{
				{tIdentified, actorPharmacist, home},
				{tInvited, actorCoordinator, medreviews.ReviewInvited{Channel: medreviews.ChannelSMS, InvitedAt: tInvited,
					RespondBy: tInvited.AddDate(0, 0, 28), Invitation: 1}},
				{tBooked, actorCoordinator, medreviews.ReviewBooked{AppointmentAt: tAppt, Mode: medreviews.ModeTelephone,
					ClinicianID: pharmacist, ClinicianRole: medreviews.RoleClinicalPharmacist, BookedAt: tBooked}},
				{tDNA, actorPharmacist, notAttended()},
				{now, actorCoordinator, medreviews.ReviewInvited{Channel: medreviews.ChannelPhone, InvitedAt: now,
					RespondBy: now.AddDate(0, 0, 28), Invitation: 2}},
				{now, actorCoordinator, medreviews.ReviewDeclined{Reason: "Does not want to discuss pain medicines",
					DeclinedAt: now, CodeCluster: "STRMEDRWVDEC_COD"}},
			}
		},
		check: func(t *testing.T, s mr.ReviewState) {
			if s.Status != mr.StatusDeclined || s.Decline == nil || s.Decline.CodeCluster != "STRMEDRWVDEC_COD" ||
				s.Invitations != 2 || s.MissedAppointments != 1 || s.CareHome != "" || len(s.Recommendations) != 0 {
				t.Fatalf("review: %+v", s)
			}
		},
	},
	{
		file: "review_closed_patient_died.v1.json", id: "0190f4c2-0003",
		history: func() []step {
			return []step{
				{tIdentified, actorGP, identified()},
				{tInvited, actorCoordinator, invited()},
				{tBooked, actorCoordinator, booked()},
				{now, actorGP, medreviews.ReviewClosed{Reason: medreviews.ClosePatientDied, PreviousStatus: "booked", ClosedAt: now}},
			}
		},
		check: func(t *testing.T, s mr.ReviewState) {
			if s.Status != mr.StatusClosed || s.Closure == nil || s.Closure.Reason != medreviews.ClosePatientDied ||
				s.Appointment == nil || s.Completion != nil {
				t.Fatalf("review: %+v", s)
			}
		},
	},
}

func TestGoldenHistories(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			path := filepath.Join("testdata", g.file)
			if _, err := os.Stat(path); *update && os.IsNotExist(err) {
				write(t, path, g)
			}
			envs := read(t, path)
			loaded, err := aggregate.Replay(reviewType, g.id, envs)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.Version != int64(len(envs)) {
				t.Fatalf("replayed to version %d, want %d", loaded.Version, len(envs))
			}
			subject, area := mr.RouteReview(loaded.State)
			for _, env := range envs {
				if env.Subject != subject || env.Area != area || env.StreamID != "review-"+g.id {
					t.Fatalf("event %d is routed to %s/%s in %s; the review routes to %s/%s", env.StreamVersion, env.Subject, env.Area, env.StreamID, subject, area)
				}
			}
			g.check(t, loaded.State)
		})
	}
}

// read decodes and validates every envelope of a golden history.
func read(t *testing.T, path string) []events.Envelope {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update once to record a new fixture)", err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	envs := make([]events.Envelope, len(raws))
	for i, raw := range raws {
		if envs[i], err = events.Decode(raw); err != nil {
			t.Fatalf("%s event %d: %v", path, i+1, err)
		}
	}
	return envs
}

// write records a golden history as the event store would have stored it.
func write(t *testing.T, path string, g golden) {
	t.Helper()
	steps := g.history()
	envs := make([]events.Envelope, len(steps))
	for i, st := range steps {
		env, err := events.New(st.data, events.Metadata{
			ID: events.NewID(st.at), Time: st.at, Subject: patient, Area: pcn,
			CorrelationID: "golden-" + g.id, Actor: st.actor,
		})
		if err != nil {
			t.Fatal(err)
		}
		env.StreamID, env.StreamVersion = "review-"+g.id, int64(i+1)
		if err := env.Validate(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		envs[i] = env
	}
	b, err := json.MarshalIndent(envs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
