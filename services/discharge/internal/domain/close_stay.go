package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
)

// closeIfSettled returns decided, followed by StayClosed when the stay owes
// nothing more after them: the summary received and the follow-up completed,
// missed or never required. Closing is decided, not derived in EvolveStay, so
// consumers see it as an event and a later change of Rules cannot reopen or
// close a stay on replay.
func closeIfSettled(s StayState, now time.Time, decided ...events.Data) []events.Data {
	for _, e := range decided {
		s = EvolveStay(s, e)
	}
	d := s.Discharge
	if s.Status != StatusDischarged || d.Summary == nil {
		return decided
	}
	var how discharge.FollowUpClosure
	switch {
	case !d.FollowUpRequired():
		how = discharge.ClosureFollowUpNotRequired
	case d.FollowUp != nil && d.FollowUp.Status == FollowUpCompleted:
		how = discharge.ClosureFollowUpCompleted
	case d.FollowUp != nil && d.FollowUp.Status == FollowUpMissed:
		how = discharge.ClosureFollowUpMissed
	default:
		return decided
	}
	return append(decided, discharge.StayClosed{ClosedAt: now.UTC(), FollowUp: how, SummaryLate: d.Summary.Late})
}
