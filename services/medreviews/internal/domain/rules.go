package domain

import (
	"errors"
	"fmt"
)

// Rules are the local rules of a PCN's SMR service: configuration, not code.
// The API layer builds them once (DefaultRules, overridden from its config),
// validates them at start-up and passes them to the commands that need them.
type Rules struct {
	// InvitationValidityDays is how long an invitation stays open before it
	// lapses unbooked and is due a chase: ReviewInvited.RespondBy.
	InvitationValidityDays int `json:"invitationValidityDays"`
	// MaxBookingAheadDays bounds how far ahead an appointment may be booked,
	// which also catches a mistyped year.
	MaxBookingAheadDays int `json:"maxBookingAheadDays"`
	// FollowUpDays is when, after completion, the patient is due a follow-up
	// to see the changes took effect: ReviewCompleted.FollowUpBy.
	FollowUpDays int `json:"followUpDays"`
	// DecisionDueDays is how long the prescriber has to decide on a
	// recommendation: RecommendationRecorded.DecisionDueBy.
	DecisionDueDays int `json:"decisionDueDays"`
	// MaxRecommendations caps the recommendations of one review.
	MaxRecommendations int `json:"maxRecommendations"`
}

// DefaultRules returns the rules a PCN starts with.
func DefaultRules() Rules {
	return Rules{
		InvitationValidityDays: 28,
		MaxBookingAheadDays:    180,
		FollowUpDays:           90,
		DecisionDueDays:        14,
		MaxRecommendations:     40,
	}
}

// maxRuleDays bounds every day count: ten years is a mistake, not a rule.
const maxRuleDays = 3650

// maxRecommendationsLimit bounds MaxRecommendations so a review's events stay
// small.
const maxRecommendationsLimit = 200

// Validate reports every rule that is out of range.
func (r Rules) Validate() error {
	var errs []error
	days := func(name string, v int) {
		if v < 1 || v > maxRuleDays {
			errs = append(errs, fmt.Errorf("medreviews rules: %s is %d; want 1 to %d days", name, v, maxRuleDays))
		}
	}
	days("invitationValidityDays", r.InvitationValidityDays)
	days("maxBookingAheadDays", r.MaxBookingAheadDays)
	days("followUpDays", r.FollowUpDays)
	days("decisionDueDays", r.DecisionDueDays)
	if r.MaxRecommendations < 1 || r.MaxRecommendations > maxRecommendationsLimit {
		errs = append(errs, fmt.Errorf("medreviews rules: maxRecommendations is %d; want 1 to %d",
			r.MaxRecommendations, maxRecommendationsLimit))
	}
	return errors.Join(errs...)
}
