package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// CompleteActionCmd records that an action raised on a round was done.
type CompleteActionCmd struct {
	ActionID    string    // "actionId"
	Note        string    // "note": what was done
	CompletedAt time.Time // "completedAt": zero means Now
	Now         time.Time
}

// CompleteAction completes an action, on a held round or after it was
// closed. Completing an action twice records nothing, whatever the note.
// Whether it was on time is judged in the rules' calendar.
func CompleteAction(cmd CompleteActionCmd, rules Rules) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		if err := checkLocalID("actionId", cmd.ActionID); err != nil {
			return nil, err
		}
		note, err := text("note", cmd.Note, maxShortText, true)
		if err != nil {
			return nil, err
		}
		at, err := occurredAt("completedAt", cmd.CompletedAt, cmd.Now)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		a, raised := s.Action(cmd.ActionID)
		if raised && a.Completed {
			return nil, nil
		}
		if s.Status != RoundStatusHeld && s.Status != RoundStatusClosed {
			return nil, refuseRound(s, "asked to complete an action")
		}
		if !raised {
			return nil, refuseRound(s, "asked to complete an action it never raised")
		}
		if at.Before(s.StartedAt) {
			return nil, domain.Invalid("completedAt", "is before the round started")
		}
		return one(carehomes.ActionCompleted{
			RoundRef: s.ref(), ActionID: a.ID, Patient: a.Patient, Note: note,
			CompletedAt: at, DueOn: a.DueOn, OnTime: rules.onTime(at, a.DueOn),
		})
	}
}
