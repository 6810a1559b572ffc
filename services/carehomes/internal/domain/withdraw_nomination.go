package domain

import (
	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// WithdrawNominationCmd takes a resident off a scheduled round's list.
type WithdrawNominationCmd struct {
	Patient string // "patient"
	Reason  string // "reason": why the resident no longer needs the round
}

// WithdrawNomination takes a resident off the list before the round is held;
// afterwards a resident who was not seen gets a not-reviewed outcome
// instead. Withdrawing a withdrawn nomination records nothing.
func WithdrawNomination(cmd WithdrawNominationCmd) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if err := checkPatient("patient", cmd.Patient); err != nil {
			return nil, err
		}
		reason, err := text("reason", cmd.Reason, maxShortText, true)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		n, nominated := s.Nomination(cmd.Patient)
		if nominated && n.Withdrawn {
			return nil, nil
		}
		if s.Status != RoundStatusScheduled {
			return nil, refuseRound(s, "withdrawn from")
		}
		if !nominated {
			return nil, refuseRound(s, "withdrawn from for a resident who was not nominated")
		}
		return one(carehomes.NominationWithdrawn{RoundRef: s.ref(), Patient: cmd.Patient, Reason: reason})
	}
}
