package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// RecommendCmd records per-medicine recommendations on a completed review.
type RecommendCmd struct {
	// ClinicianID is the reviewer making the recommendations; ClinicianRole
	// the role the API layer found for it in the directory ("" when
	// unknown): a clinical pharmacist or a GP.
	ClinicianID     string
	ClinicianRole   medreviews.ClinicianRole
	Recommendations []RecommendationInput
	Now             time.Time
}

// RecommendationInput is one recommendation as the reviewer gives it.
type RecommendationInput struct {
	Medicine medreviews.Medicine
	Action   medreviews.Action
	Reason   string
	// Deprescribing marks a recommendation that reduces or stops a medicine;
	// it cannot be set on start or continue.
	Deprescribing bool
	// SwitchTo is required for switch and refused for any other action.
	SwitchTo *medreviews.Medicine
	// NewDose is required for change-dose and refused for any other action.
	NewDose string
}

// recommendationIDPrefix numbers recommendations within a review: rec-1,
// rec-2, ... Recommendations are never removed, so ids are never reused.
const recommendationIDPrefix = "rec-"

// Recommend records one RecommendationRecorded per recommendation, each with
// a new id and a decision due date (rules.DecisionDueDays). Nothing is
// enacted: the GP record changes only when a prescriber accepts.
//
// A recommendation identical to one the review holds already is not recorded
// again (a retried request records nothing). A medicine may not appear twice
// in one request, nor be recommended on while an earlier recommendation on it
// awaits the prescriber. A review holds at most rules.MaxRecommendations.
// Only a completed review takes recommendations.
func Recommend(rules Rules, cmd RecommendCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if err := missing(version); err != nil {
			return nil, err
		}
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		if err := checkClinician("clinicianId", cmd.ClinicianID, cmd.ClinicianRole); err != nil {
			return nil, err
		}
		if len(cmd.Recommendations) == 0 {
			return nil, domain.Invalid("recommendations", "needs at least one recommendation")
		}
		if len(cmd.Recommendations) > rules.MaxRecommendations {
			return nil, domain.Invalid("recommendations", fmt.Sprintf("a review holds at most %d", rules.MaxRecommendations))
		}
		inputs := make([]RecommendationInput, len(cmd.Recommendations))
		for i, in := range cmd.Recommendations {
			field := fmt.Sprintf("recommendations[%d]", i)
			norm, err := in.normalise(field)
			if err != nil {
				return nil, err
			}
			for _, earlier := range inputs[:i] {
				if sameMedicine(earlier.Medicine, norm.Medicine) {
					return nil, domain.Invalid(field+".medicine", "appears twice in this request")
				}
			}
			inputs[i] = norm
		}
		if s.Status != StatusCompleted {
			return nil, domain.Refuse(AggregateName, string(s.Status), "given recommendations")
		}

		now := cmd.Now.UTC()
		var out []events.Data
		for i, in := range inputs {
			field := fmt.Sprintf("recommendations[%d]", i)
			if in.recordedIn(s) {
				continue
			}
			for _, r := range s.AwaitingDecision() {
				if sameMedicine(r.Medicine, in.Medicine) {
					return nil, domain.Invalid(field+".medicine", "already has recommendation "+r.ID+" awaiting the prescriber")
				}
			}
			if len(s.Recommendations)+len(out) >= rules.MaxRecommendations {
				return nil, domain.Invalid("recommendations", fmt.Sprintf("a review holds at most %d", rules.MaxRecommendations))
			}
			out = append(out, medreviews.RecommendationRecorded{
				RecommendationID:  recommendationIDPrefix + strconv.Itoa(len(s.Recommendations)+len(out)+1),
				Medicine:          in.Medicine,
				Action:            in.Action,
				Reason:            in.Reason,
				Deprescribing:     in.Deprescribing,
				SwitchTo:          in.SwitchTo,
				NewDose:           in.NewDose,
				RecommendedBy:     cmd.ClinicianID,
				RecommendedByRole: cmd.ClinicianRole,
				RecordedAt:        now,
				DecisionDueBy:     days(now, rules.DecisionDueDays),
			})
		}
		return out, nil
	}
}

// normalise checks one recommendation and returns it with its text trimmed.
func (in RecommendationInput) normalise(field string) (RecommendationInput, error) {
	med, err := checkMedicine(field+".medicine", in.Medicine)
	if err != nil {
		return in, err
	}
	out := RecommendationInput{Medicine: med, Action: in.Action, Deprescribing: in.Deprescribing}
	if in.Action == "" {
		return in, domain.Invalid(field+".action", "is required")
	}
	if !in.Action.Valid() {
		return in, domain.Invalid(field+".action", "must be stop, start, change-dose, switch or continue")
	}
	if out.Reason, err = requiredText(field+".reason", in.Reason, maxReason, true); err != nil {
		return in, err
	}
	if in.Deprescribing && (in.Action == medreviews.ActionStart || in.Action == medreviews.ActionContinue) {
		return in, domain.Invalid(field+".deprescribing", "cannot be set on a start or continue recommendation")
	}
	switch {
	case in.Action == medreviews.ActionSwitch && in.SwitchTo == nil:
		return in, domain.Invalid(field+".switchTo", "is required for a switch")
	case in.Action == medreviews.ActionSwitch:
		to, err := checkMedicine(field+".switchTo", *in.SwitchTo)
		if err != nil {
			return in, err
		}
		if sameMedicine(to, med) {
			return in, domain.Invalid(field+".switchTo", "is the medicine being switched from")
		}
		out.SwitchTo = &to
	case in.SwitchTo != nil:
		return in, domain.Invalid(field+".switchTo", "is only for a switch")
	}
	dose, err := optionalText(field+".newDose", in.NewDose, maxDose, false)
	if err != nil {
		return in, err
	}
	switch {
	case in.Action == medreviews.ActionChangeDose && dose == "":
		return in, domain.Invalid(field+".newDose", "is required for a change of dose")
	case in.Action != medreviews.ActionChangeDose && dose != "":
		return in, domain.Invalid(field+".newDose", "is only for a change of dose")
	}
	out.NewDose = dose
	return out, nil
}

// recordedIn reports whether the review holds a recommendation identical to
// in, whatever its status.
func (in RecommendationInput) recordedIn(s ReviewState) bool {
	for _, r := range s.Recommendations {
		if r.Medicine == in.Medicine && r.Action == in.Action && r.Reason == in.Reason &&
			r.Deprescribing == in.Deprescribing && r.NewDose == in.NewDose &&
			(r.SwitchTo == nil) == (in.SwitchTo == nil) && (r.SwitchTo == nil || *r.SwitchTo == *in.SwitchTo) {
			return true
		}
	}
	return false
}

func checkMedicine(field string, m medreviews.Medicine) (medreviews.Medicine, error) {
	name, err := requiredText(field+".name", m.Name, maxMedicineName, false)
	if err != nil {
		return m, err
	}
	code := strings.TrimSpace(m.DmdCode)
	if code != "" && !dmdCode.MatchString(code) {
		return m, domain.Invalid(field+".dmdCode", "must be a dm+d code: 6-18 digits, not starting with 0")
	}
	return medreviews.Medicine{Name: name, DmdCode: code}, nil
}

// sameMedicine reports whether a and b name one medicine: the same dm+d
// code, or the same name ignoring case. It errs towards "same": two live
// recommendations on one medicine are the hazard it guards against.
func sameMedicine(a, b medreviews.Medicine) bool {
	return (a.DmdCode != "" && a.DmdCode == b.DmdCode) || strings.EqualFold(a.Name, b.Name)
}
