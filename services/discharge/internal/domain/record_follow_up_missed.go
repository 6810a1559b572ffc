package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// RecordFollowUpMissedCmd records that the community follow-up did not
// happen.
type RecordFollowUpMissedCmd struct {
	Reason discharge.MissedReason
	Now    time.Time
}

// RecordFollowUpMissed decides RecordFollowUpMissedCmd. Allowed while
// discharged with a follow-up assigned and not completed. A miss is only
// known once the follow-up is overdue (Now after its DueBy), except when the
// reason makes it certain before (the patient declined or was readmitted:
// discharge.MissedReason.Certain). The same reason again records nothing,
// another is refused. If the summary is in, the stay closes.
func RecordFollowUpMissed(cmd RecordFollowUpMissedCmd) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if !cmd.Reason.Valid() {
			return nil, domain.Invalid("reason", "must be no-access, not-contactable, team-capacity, patient-declined, patient-readmitted or other")
		}
		if s.Discharge == nil {
			return nil, refuse(s, "recorded as missing its follow-up before discharge")
		}
		f := s.Discharge.FollowUp
		switch {
		case f == nil:
			return nil, refuse(s, "recorded as missing its follow-up: no follow-up is assigned")
		case f.Status == FollowUpCompleted:
			return nil, refuse(s, "recorded as missing its follow-up: the follow-up is completed")
		case f.Status == FollowUpMissed:
			if f.MissedReason == cmd.Reason {
				return nil, nil
			}
			return nil, refuse(s, "recorded as missing its follow-up again: it is recorded as missed")
		}
		if !cmd.Now.After(f.DueBy) && !cmd.Reason.Certain() {
			return nil, refuse(s, "recorded as missing its follow-up before it is due by "+f.DueBy.Format(time.RFC3339))
		}
		return closeIfSettled(s, cmd.Now, discharge.FollowUpMissed{
			TeamID: f.TeamID, Reason: cmd.Reason, DueBy: f.DueBy, RecordedAt: cmd.Now.UTC(),
		}), nil
	}
}
