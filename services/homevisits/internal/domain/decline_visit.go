package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

// DeclineVisitCmd is the assigned clinician handing the visit back.
type DeclineVisitCmd struct {
	// ClinicianID is the acting clinician (the API sets it from the actor);
	// it must be the clinician the visit is assigned to.
	ClinicianID string
	// Reason is required (at most MaxReasonLen characters).
	Reason string
	Now    time.Time
}

// DeclineVisit records that the assigned clinician cannot take the visit,
// before or after accepting it but before setting off; a coordinator then
// reassigns it. Declining again records nothing.
func DeclineVisit(cmd DeclineVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusAssigned, StatusAccepted:
		case StatusDeclined:
			if cmd.ClinicianID != "" && cmd.ClinicianID == s.ClinicianID {
				return nil, nil
			}
			return nil, refuse(s, "declined")
		default:
			return nil, refuse(s, "declined")
		}
		if err := checkActing(s, cmd.ClinicianID); err != nil {
			return nil, err
		}
		reason, err := text("reason", cmd.Reason, MaxReasonLen, true)
		if err != nil {
			return nil, err
		}
		return []events.Data{homevisits.AssignmentDeclined{
			ClinicianID: s.ClinicianID, Role: s.Role, Reason: reason, DeclinedAt: cmd.Now.UTC(),
		}}, nil
	}
}
