package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
)

// ReceiveSummaryCmd records the discharge summary reaching the GP practice.
type ReceiveSummaryCmd struct {
	ReceivedAt time.Time
	Now        time.Time
}

// ReceiveSummary decides ReceiveSummaryCmd. Allowed once discharged; the
// summary is late when received after the discharge's SummaryDueBy
// (Rules.SummaryDueWithin after discharge). The same receipt again records
// nothing; another is refused. If the follow-up is settled too, the stay
// closes.
func ReceiveSummary(cmd ReceiveSummaryCmd) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if err := checkTime("receivedAt", cmd.ReceivedAt, cmd.Now, time.Time{}, ""); err != nil {
			return nil, err
		}
		d := s.Discharge
		if d == nil {
			return nil, refuse(s, "sent a discharge summary before discharge")
		}
		if d.Summary != nil {
			if d.Summary.ReceivedAt.Equal(cmd.ReceivedAt) {
				return nil, nil
			}
			return nil, refuse(s, "sent a second discharge summary")
		}
		if err := checkTime("receivedAt", cmd.ReceivedAt, cmd.Now, d.DischargedAt, "the discharge"); err != nil {
			return nil, err
		}
		at := cmd.ReceivedAt.UTC()
		return closeIfSettled(s, cmd.Now, discharge.DischargeSummaryReceived{
			ReceivedAt: at, DueBy: d.SummaryDueBy, Late: at.After(d.SummaryDueBy),
		}), nil
	}
}
