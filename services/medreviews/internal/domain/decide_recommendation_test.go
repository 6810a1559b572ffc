package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

var (
	gpPrescriber         = mr.Prescriber{ID: gp, Role: medreviews.RoleGP}
	pharmacistPrescriber = mr.Prescriber{ID: "pharm-ellen-moss", Role: medreviews.RoleClinicalPharmacist, IndependentPrescriber: true}
	omeprazole           = medreviews.Medicine{Name: "Omeprazole 20mg capsules"}
)

// withRecommendation is a completed review with one recommendation awaiting
// the prescriber.
func withRecommendation() []events.Data {
	return then(history(mr.StatusCompleted), rec("rec-1", omeprazole.Name, medreviews.ActionStop))
}

func accepted() medreviews.RecommendationAccepted {
	return medreviews.RecommendationAccepted{RecommendationID: "rec-1", Medicine: omeprazole, Action: medreviews.ActionStop,
		PrescriberID: gp, PrescriberRole: medreviews.RoleGP, EnactedAt: now}
}

func rejected() medreviews.RecommendationRejected {
	return medreviews.RecommendationRejected{RecommendationID: "rec-1", Medicine: omeprazole, Action: medreviews.ActionStop,
		PrescriberID: gp, PrescriberRole: medreviews.RoleGP, Reason: "Still has reflux symptoms", RejectedAt: now}
}

func acceptCmd() mr.AcceptRecommendationCmd {
	return mr.AcceptRecommendationCmd{RecommendationID: "rec-1", Prescriber: gpPrescriber, Now: now}
}

func rejectCmd() mr.RejectRecommendationCmd {
	return mr.RejectRecommendationCmd{RecommendationID: "rec-1", Prescriber: gpPrescriber, Reason: " Still has reflux symptoms ", Now: now}
}

func TestAcceptRecommendation(t *testing.T) {
	aggregatetest.Then(t, reviewType, withRecommendation(), mr.AcceptRecommendation(acceptCmd()), accepted())
}

func TestAcceptRecommendationByPharmacistPrescriber(t *testing.T) {
	cmd := acceptCmd()
	cmd.Prescriber, cmd.EnactedAt, cmd.Note = pharmacistPrescriber, tCompleted.Add(time.Hour), "Changed on EMIS; patient informed."
	aggregatetest.Then(t, reviewType, withRecommendation(), mr.AcceptRecommendation(cmd),
		medreviews.RecommendationAccepted{RecommendationID: "rec-1", Medicine: omeprazole, Action: medreviews.ActionStop,
			PrescriberID: "pharm-ellen-moss", PrescriberRole: medreviews.RoleClinicalPharmacist,
			EnactedAt: tCompleted.Add(time.Hour), Note: "Changed on EMIS; patient informed."})
}

func TestAcceptRecommendationTwiceRecordsNothing(t *testing.T) {
	aggregatetest.Then(t, reviewType, then(withRecommendation(), accepted()), mr.AcceptRecommendation(acceptCmd()))
	cmd := acceptCmd()
	cmd.Prescriber = pharmacistPrescriber // the same decision by another prescriber is still the same fact
	aggregatetest.Then(t, reviewType, then(withRecommendation(), accepted()), mr.AcceptRecommendation(cmd))
}

func TestAcceptRejectedRecommendationRefused(t *testing.T) {
	aggregatetest.Refused(t, reviewType, then(withRecommendation(), rejected()), mr.AcceptRecommendation(acceptCmd()), "rejected")
}

func TestAcceptRecommendationOnReviewNotCompletedRefused(t *testing.T) {
	for _, s := range except(mr.StatusCompleted) {
		t.Run(string(s), func(t *testing.T) {
			aggregatetest.Refused(t, reviewType, history(s), mr.AcceptRecommendation(acceptCmd()), string(s))
		})
	}
}

func TestAcceptRecommendationNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.AcceptRecommendation(acceptCmd()), domain.ErrNotFound)
	cmd := acceptCmd()
	cmd.RecommendationID = "rec-2"
	aggregatetest.Fails(t, reviewType, withRecommendation(), mr.AcceptRecommendation(cmd), domain.ErrNotFound)
}

func TestAcceptRecommendationInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		edit  func(*mr.AcceptRecommendationCmd)
	}{
		"no recommendation":  {"recommendationId", func(c *mr.AcceptRecommendationCmd) { c.RecommendationID = "" }},
		"no prescriber":      {"prescriberId", func(c *mr.AcceptRecommendationCmd) { c.Prescriber.ID = "" }},
		"unknown prescriber": {"prescriberId", func(c *mr.AcceptRecommendationCmd) { c.Prescriber.Role = "" }},
		"a nurse":            {"prescriberId", func(c *mr.AcceptRecommendationCmd) { c.Prescriber.Role = "community-nurse" }},
		"non-prescribing pharm": {"prescriberId", func(c *mr.AcceptRecommendationCmd) {
			c.Prescriber = mr.Prescriber{ID: pharmacist, Role: medreviews.RoleClinicalPharmacist}
		}},
		"enacted in the future":             {"enactedAt", func(c *mr.AcceptRecommendationCmd) { c.EnactedAt = now.Add(time.Minute) }},
		"enacted before it was recommended": {"enactedAt", func(c *mr.AcceptRecommendationCmd) { c.EnactedAt = tCompleted.Add(-time.Minute) }},
		"control in the note":               {"note", func(c *mr.AcceptRecommendationCmd) { c.Note = "\x00" }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := acceptCmd()
			tc.edit(&cmd)
			aggregatetest.Invalid(t, reviewType, withRecommendation(), mr.AcceptRecommendation(cmd), tc.field)
		})
	}
}

func TestRejectRecommendation(t *testing.T) {
	aggregatetest.Then(t, reviewType, withRecommendation(), mr.RejectRecommendation(rejectCmd()), rejected())
}

func TestRejectRecommendationTwiceRecordsNothing(t *testing.T) {
	cmd := rejectCmd()
	cmd.Reason = "Another reason, same decision"
	aggregatetest.Then(t, reviewType, then(withRecommendation(), rejected()), mr.RejectRecommendation(cmd))
}

func TestRejectAcceptedRecommendationRefused(t *testing.T) {
	aggregatetest.Refused(t, reviewType, then(withRecommendation(), accepted()), mr.RejectRecommendation(rejectCmd()), "accepted")
}

func TestRejectRecommendationOnReviewNotCompletedRefused(t *testing.T) {
	for _, s := range except(mr.StatusCompleted) {
		t.Run(string(s), func(t *testing.T) {
			aggregatetest.Refused(t, reviewType, history(s), mr.RejectRecommendation(rejectCmd()), string(s))
		})
	}
}

func TestRejectRecommendationNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.RejectRecommendation(rejectCmd()), domain.ErrNotFound)
	cmd := rejectCmd()
	cmd.RecommendationID = "rec-9"
	aggregatetest.Fails(t, reviewType, withRecommendation(), mr.RejectRecommendation(cmd), domain.ErrNotFound)
}

func TestRejectRecommendationInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		edit  func(*mr.RejectRecommendationCmd)
	}{
		"no recommendation": {"recommendationId", func(c *mr.RejectRecommendationCmd) { c.RecommendationID = "" }},
		"no prescriber":     {"prescriberId", func(c *mr.RejectRecommendationCmd) { c.Prescriber.ID = "" }},
		"a social worker":   {"prescriberId", func(c *mr.RejectRecommendationCmd) { c.Prescriber.Role = "social-worker" }},
		"non-prescribing pharm": {"prescriberId", func(c *mr.RejectRecommendationCmd) {
			c.Prescriber.IndependentPrescriber, c.Prescriber.Role = false, medreviews.RoleClinicalPharmacist
		}},
		"no reason": {"reason", func(c *mr.RejectRecommendationCmd) { c.Reason = "" }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := rejectCmd()
			tc.edit(&cmd)
			aggregatetest.Invalid(t, reviewType, withRecommendation(), mr.RejectRecommendation(cmd), tc.field)
		})
	}
}

// TestRecommendedIsNeverEnacted guards the DCB0129 hazard "a recommended
// medication change shown as enacted": only acceptance enacts.
func TestRecommendedIsNeverEnacted(t *testing.T) {
	s, _ := aggregatetest.Given(reviewType, withRecommendation()...)
	r, ok := s.Recommendation("rec-1")
	if !ok || r.Status != mr.RecommendationRecommended || r.Enacted() || r.Decision != nil {
		t.Fatalf("a fresh recommendation reads %+v", r)
	}
	s, _ = aggregatetest.Given(reviewType, then(withRecommendation(), rejected())...)
	if r, _ := s.Recommendation("rec-1"); r.Enacted() || r.Status != mr.RecommendationRejected || r.Decision.Reason == "" {
		t.Fatalf("a rejected recommendation reads %+v", r)
	}
	s, _ = aggregatetest.Given(reviewType, then(withRecommendation(), accepted())...)
	if r, _ := s.Recommendation("rec-1"); !r.Enacted() || r.Decision.PrescriberID != gp || !r.Decision.At.Equal(now) {
		t.Fatalf("an accepted recommendation reads %+v", r)
	}
	if len(s.AwaitingDecision()) != 0 {
		t.Fatalf("decided recommendations still await: %+v", s.AwaitingDecision())
	}
}

func TestNotFoundNamesTheRecommendation(t *testing.T) {
	s, v := aggregatetest.Given(reviewType, withRecommendation()...)
	cmd := acceptCmd()
	cmd.RecommendationID = "rec-7"
	_, err := mr.AcceptRecommendation(cmd)(s, v)
	if !errors.Is(err, domain.ErrNotFound) || err.Error() != `recommendation "rec-7": not found` {
		t.Fatalf("err = %v", err)
	}
}
