package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// CloseCmd withdraws or closes the episode without a review.
type CloseCmd struct {
	Reason medreviews.CloseReason
	// Note says more; required when Reason is other.
	Note string
	Now  time.Time
}

// Close withdraws a review that has not been completed or declined: the
// patient died, moved practice, is no longer eligible, or it was entered in
// error. Closing again for the same reason and note records nothing. A
// completed or declined review cannot be closed (its outcome stands), nor a
// closed one for another reason.
func Close(cmd CloseCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if err := missing(version); err != nil {
			return nil, err
		}
		if !cmd.Reason.Valid() {
			return nil, domain.Invalid("reason", "must be patient-died, moved-practice, no-longer-eligible, entered-in-error or other")
		}
		note, err := optionalText("note", cmd.Note, maxNote, true)
		if err != nil {
			return nil, err
		}
		if cmd.Reason == medreviews.CloseOther && note == "" {
			return nil, domain.Invalid("note", "is required when the reason is other")
		}
		switch s.Status {
		case StatusIdentified, StatusInvited, StatusBooked, StatusDidNotAttend:
		case StatusClosed:
			if s.Closure != nil && s.Closure.Reason == cmd.Reason && s.Closure.Note == note {
				return nil, nil
			}
			return nil, domain.Refuse(AggregateName, string(s.Status), "closed")
		default:
			return nil, domain.Refuse(AggregateName, string(s.Status), "closed")
		}
		return []events.Data{medreviews.ReviewClosed{
			Reason:         cmd.Reason,
			Note:           note,
			PreviousStatus: string(s.Status),
			ClosedAt:       cmd.Now.UTC(),
		}}, nil
	}
}
