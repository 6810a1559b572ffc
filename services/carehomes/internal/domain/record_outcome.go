package domain

import (
	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// ReviewResidentCmd records that a nominated resident was reviewed on a held
// round. The reviewer must be one of the round's attendees; their role is
// taken from the attendance, so the API layer passes no role.
type ReviewResidentCmd struct {
	Patient    string // "patient"
	ReviewedBy string // "reviewedBy": clinician id, an attendee of the round
	Outcome    string // "outcome": summary of the review
	FollowUp   string // "followUp": optional
}

// ReviewResident records a resident's outcome: reviewed. Each resident still
// nominated gets exactly one outcome; sending the same one again records
// nothing.
func ReviewResident(cmd ReviewResidentCmd) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if err := checkPatient("patient", cmd.Patient); err != nil {
			return nil, err
		}
		if err := checkDirectoryID("reviewedBy", cmd.ReviewedBy); err != nil {
			return nil, err
		}
		outcome, err := text("outcome", cmd.Outcome, maxLongText, true)
		if err != nil {
			return nil, err
		}
		followUp, err := text("followUp", cmd.FollowUp, maxLongText, false)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		n, _ := s.Nomination(cmd.Patient)
		if n.Outcome == OutcomeReviewed && n.ReviewedBy == cmd.ReviewedBy && n.OutcomeSummary == outcome && n.FollowUp == followUp {
			return nil, nil
		}
		if err := outcomeAllowed(s, cmd.Patient); err != nil {
			return nil, err
		}
		role, attended := s.Attended(cmd.ReviewedBy)
		if !attended {
			return nil, domain.Invalid("reviewedBy", "did not attend the round: name one of its attendees")
		}
		return one(carehomes.ResidentReviewed{
			RoundRef: s.ref(), Patient: cmd.Patient, ReviewedBy: cmd.ReviewedBy, ReviewerRole: role,
			Outcome: outcome, FollowUp: followUp,
		})
	}
}

// RecordNotReviewedCmd records that a nominated resident was not reviewed on
// a held round.
type RecordNotReviewedCmd struct {
	Patient string // "patient"
	Reason  string // "reason": asleep, unwell, refused, in-hospital, time or other
	Note    string // "note": required when reason is other
}

// RecordNotReviewed records a resident's outcome: not reviewed, and why.
// Each resident still nominated gets exactly one outcome; sending the same
// one again records nothing.
func RecordNotReviewed(cmd RecordNotReviewedCmd) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if err := checkPatient("patient", cmd.Patient); err != nil {
			return nil, err
		}
		reason, err := carehomes.ParseNotReviewedReason(cmd.Reason)
		if err != nil {
			return nil, domain.Invalid("reason", err.Error())
		}
		note, err := text("note", cmd.Note, maxShortText, reason == carehomes.NotReviewedOther)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		n, _ := s.Nomination(cmd.Patient)
		if n.Outcome == OutcomeNotReviewed && n.NotReviewedReason == reason && n.NotReviewedNote == note {
			return nil, nil
		}
		if err := outcomeAllowed(s, cmd.Patient); err != nil {
			return nil, err
		}
		return one(carehomes.ResidentNotReviewed{RoundRef: s.ref(), Patient: cmd.Patient, Reason: reason, Note: note})
	}
}

// outcomeAllowed checks that the round is held and patient is nominated,
// not withdrawn, and has no outcome yet.
func outcomeAllowed(s RoundState, patient string) error {
	if s.Status != RoundStatusHeld {
		return refuseRound(s, "given an outcome")
	}
	n, nominated := s.Nomination(patient)
	switch {
	case !nominated:
		return refuseRound(s, "given an outcome for a resident who was not nominated")
	case n.Withdrawn:
		return refuseRound(s, "given an outcome for a resident whose nomination was withdrawn")
	case n.Outcome != "":
		return refuseRound(s, "given a second outcome for a resident who already has one ("+string(n.Outcome)+")")
	}
	return nil
}
