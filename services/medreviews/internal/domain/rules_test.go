package domain_test

import (
	"testing"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func TestDefaultRulesAreValid(t *testing.T) {
	if err := mr.DefaultRules().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestRulesValidate(t *testing.T) {
	cases := map[string]func(*mr.Rules){
		"no invitation validity":  func(r *mr.Rules) { r.InvitationValidityDays = 0 },
		"negative booking window": func(r *mr.Rules) { r.MaxBookingAheadDays = -1 },
		"follow-up in 11 years":   func(r *mr.Rules) { r.FollowUpDays = 4015 },
		"no decision window":      func(r *mr.Rules) { r.DecisionDueDays = 0 },
		"no recommendations":      func(r *mr.Rules) { r.MaxRecommendations = 0 },
		"too many":                func(r *mr.Rules) { r.MaxRecommendations = 201 },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			r := mr.DefaultRules()
			edit(&r)
			if r.Validate() == nil {
				t.Fatalf("%+v validated", r)
			}
		})
	}
}

// TestCommandsRefuseInvalidRules: a decision on broken configuration fails
// (an internal error), rather than recording events with nonsense dates.
func TestCommandsRefuseInvalidRules(t *testing.T) {
	var bad mr.Rules
	decisions := map[string]func() error{
		"invite": func() error {
			s, v := aggregatetest.Given(reviewType, history(mr.StatusIdentified)...)
			_, err := mr.Invite(bad, mr.InviteCmd{Channel: medreviews.ChannelLetter, Now: now})(s, v)
			return err
		},
		"book": func() error {
			s, v := aggregatetest.Given(reviewType, history(mr.StatusInvited)...)
			_, err := mr.Book(bad, bookLater())(s, v)
			return err
		},
		"rebook": func() error {
			s, v := aggregatetest.Given(reviewType, history(mr.StatusBooked)...)
			_, err := mr.Rebook(bad, rebookCmd())(s, v)
			return err
		},
		"complete": func() error {
			s, v := aggregatetest.Given(reviewType, history(mr.StatusBooked)...)
			_, err := mr.Complete(bad, completeCmd())(s, v)
			return err
		},
		"recommend": func() error {
			s, v := aggregatetest.Given(reviewType, history(mr.StatusCompleted)...)
			_, err := mr.Recommend(bad, recommendCmd(stopInput("Omeprazole")))(s, v)
			return err
		},
	}
	for name, decide := range decisions {
		if decide() == nil {
			t.Errorf("%s decided with invalid rules", name)
		}
	}
}
