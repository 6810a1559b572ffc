package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// MaxRoundLength bounds how long a round can have lasted: anything longer is
// a mistyped time, not a round.
const MaxRoundLength = 12 * time.Hour

// HoldRoundCmd records that a round took place. The API layer resolves each
// attendee's role from the directory and passes it in.
type HoldRoundCmd struct {
	Attendees []carehomes.Attendee // "attendees": at least one clinician, each once
	StartedAt time.Time            // "startedAt"
	EndedAt   time.Time            // "endedAt": after StartedAt, not in the future
	Now       time.Time
}

// HoldRound records a scheduled round as held. At least one resident must
// still be nominated: a round with nobody to see is cancelled, not held.
// Recording the same round held again records nothing.
func HoldRound(cmd HoldRoundCmd) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if err := cmd.validate(); err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		if (s.Status == RoundStatusHeld || s.Status == RoundStatusClosed) && slices.Equal(s.Attendees, cmd.Attendees) &&
			s.StartedAt.Equal(cmd.StartedAt) && s.EndedAt.Equal(cmd.EndedAt) {
			return nil, nil
		}
		if s.Status != RoundStatusScheduled {
			return nil, refuseRound(s, "held")
		}
		if len(s.Nominated()) == 0 {
			return nil, refuseRound(s, "held with no resident nominated (cancel it instead)")
		}
		return one(carehomes.RoundHeld{
			RoundRef: s.ref(), Attendees: slices.Clone(cmd.Attendees),
			StartedAt: cmd.StartedAt.UTC(), EndedAt: cmd.EndedAt.UTC(),
		})
	}
}

func (cmd HoldRoundCmd) validate() error {
	if len(cmd.Attendees) == 0 {
		return domain.Invalid("attendees", "name at least one clinician who attended")
	}
	seen := map[string]bool{}
	for i, a := range cmd.Attendees {
		if err := checkDirectoryID(fmt.Sprintf("attendees[%d].clinicianId", i), a.ClinicianID); err != nil {
			return err
		}
		if err := checkRole(fmt.Sprintf("attendees[%d].role", i), a.Role); err != nil {
			return err
		}
		if seen[a.ClinicianID] {
			return domain.Invalid(fmt.Sprintf("attendees[%d].clinicianId", i), "is listed twice")
		}
		seen[a.ClinicianID] = true
	}
	if cmd.StartedAt.IsZero() {
		return domain.Invalid("startedAt", "is required")
	}
	if cmd.EndedAt.IsZero() {
		return domain.Invalid("endedAt", "is required")
	}
	if !cmd.EndedAt.After(cmd.StartedAt) {
		return domain.Invalid("endedAt", "must be after startedAt")
	}
	if cmd.EndedAt.Sub(cmd.StartedAt) > MaxRoundLength {
		return domain.Invalid("endedAt", fmt.Sprintf("makes the round last longer than %v", MaxRoundLength))
	}
	if _, err := occurredAt("endedAt", cmd.EndedAt, cmd.Now); err != nil {
		return err
	}
	return nil
}
