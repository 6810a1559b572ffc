package domain_test

import (
	"reflect"
	"testing"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

type unknownEvent struct{}

func (unknownEvent) EventType() string { return "careweave.medreviews.something_new.v1" }

func TestEvolveIgnoresUnknownEvents(t *testing.T) {
	s, _ := aggregatetest.Given(reviewType, withRecommendation()...)
	if got := mr.EvolveReview(s, unknownEvent{}); !reflect.DeepEqual(got, s) {
		t.Fatalf("an unknown event changed the state:\n got %+v\nwant %+v", got, s)
	}
	if got := mr.EvolveReview(mr.ReviewState{}, unknownEvent{}); !reflect.DeepEqual(got, mr.ReviewState{}) {
		t.Fatalf("an unknown event created a review: %+v", got)
	}
}

func TestEvolveIgnoresDecisionOnUnknownRecommendation(t *testing.T) {
	s, _ := aggregatetest.Given(reviewType, withRecommendation()...)
	e := accepted()
	e.RecommendationID = "rec-99"
	if got := mr.EvolveReview(s, e); !reflect.DeepEqual(got, s) {
		t.Fatalf("a decision on no recommendation changed the state: %+v", got)
	}
}

// TestEvolveLeavesEarlierStatesAlone checks that evolving never writes
// through to a state already handed out (slices are shared by value).
func TestEvolveLeavesEarlierStatesAlone(t *testing.T) {
	before, _ := aggregatetest.Given(reviewType, then(withRecommendation(), rec("rec-2", "Diazepam", medreviews.ActionStop))...)
	snapshot, _ := aggregatetest.Given(reviewType, then(withRecommendation(), rec("rec-2", "Diazepam", medreviews.ActionStop))...)

	_ = mr.EvolveReview(before, accepted())
	_ = mr.EvolveReview(before, rec("rec-3", "Zopiclone", medreviews.ActionStop))
	a := mr.EvolveReview(before, rec("rec-3", "Zopiclone", medreviews.ActionStop))
	b := mr.EvolveReview(before, rec("rec-3", "Codeine", medreviews.ActionStop))
	if !reflect.DeepEqual(before, snapshot) {
		t.Fatalf("evolve modified an earlier state:\n got %+v\nwant %+v", before, snapshot)
	}
	if a.Recommendations[2].Medicine.Name != "Zopiclone" || b.Recommendations[2].Medicine.Name != "Codeine" {
		t.Fatalf("two states evolved from one share their recommendations")
	}
}

func TestEvolveFollowsTheEpisode(t *testing.T) {
	s, _ := aggregatetest.Given(reviewType, then(history(mr.StatusDidNotAttend),
		medreviews.ReviewRebooked{AppointmentAt: tFuture, PreviousAppointmentAt: tAppt, Mode: medreviews.ModeVideo,
			ClinicianID: gp, ClinicianRole: medreviews.RoleGP, AfterDidNotAttend: true, RebookedAt: now})...)
	want := mr.ReviewState{
		Status: mr.StatusBooked, Patient: patient, Practice: practice, PCN: pcn,
		Criteria: []medreviews.Cohort{medreviews.CohortCareHomeResident, medreviews.CohortPolypharmacy},
		CareHome: careHome, IdentifiedBy: gp, IdentifiedByRole: "gp", IdentifiedAt: tIdentified,
		Invitations:        1,
		LastInvitation:     &mr.Invitation{Channel: medreviews.ChannelLetter, InvitedAt: tInvited, RespondBy: tInvited.AddDate(0, 0, 28)},
		Appointment:        &mr.Appointment{At: tFuture, Mode: medreviews.ModeVideo, ClinicianID: gp, ClinicianRole: medreviews.RoleGP, BookedAt: now},
		MissedAppointments: 1,
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("state\n got %+v\nwant %+v", s, want)
	}
}

func TestRouteReview(t *testing.T) {
	s, _ := aggregatetest.Given(reviewType, history(mr.StatusBooked)...)
	if subject, area := mr.RouteReview(s); subject != patient || area != pcn {
		t.Fatalf("route = %q, %q; want the patient and the PCN", subject, area)
	}
}
