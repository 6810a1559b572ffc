package domain

import (
	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// CloseRoundCmd closes a held round. It carries nothing: whether the round
// can close is decided by its outcomes.
type CloseRoundCmd struct{}

// CloseRound closes a held round once every resident still nominated has an
// outcome. Open actions stay open. Closing a closed round records nothing.
func CloseRound(cmd CloseRoundCmd) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		switch s.Status {
		case RoundStatusClosed:
			return nil, nil
		case RoundStatusHeld:
		default:
			return nil, refuseRound(s, "closed")
		}
		if len(s.AwaitingOutcome()) > 0 {
			return nil, refuseRound(s, "closed while a nominated resident has no outcome")
		}
		e := carehomes.RoundClosed{RoundRef: s.ref()}
		for _, n := range s.Nominations {
			switch {
			case n.Withdrawn:
				e.Withdrawn++
			case n.Outcome == OutcomeReviewed:
				e.Reviewed++
			case n.Outcome == OutcomeNotReviewed:
				e.NotReviewed++
			}
		}
		for _, a := range s.Actions {
			if !a.Completed {
				e.OpenActions++
			}
		}
		return one(e)
	}
}
