package domain

import (
	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// CancelRoundCmd calls off a scheduled round.
type CancelRoundCmd struct {
	Reason string // "reason"
}

// CancelRound cancels a round that has not been held. A held round happened
// and cannot be unmade. Cancelling a cancelled round records nothing.
func CancelRound(cmd CancelRoundCmd) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		reason, err := text("reason", cmd.Reason, maxShortText, true)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		switch s.Status {
		case RoundStatusCancelled:
			return nil, nil
		case RoundStatusScheduled:
		default:
			return nil, refuseRound(s, "cancelled")
		}
		return one(carehomes.RoundCancelled{RoundRef: s.ref(), Reason: reason, Nominated: append([]string{}, s.Nominated()...)})
	}
}
