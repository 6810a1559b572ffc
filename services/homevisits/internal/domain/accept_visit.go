package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

// AcceptVisitCmd is the assigned clinician taking the visit on.
type AcceptVisitCmd struct {
	// ClinicianID is the acting clinician (the API sets it from the actor);
	// it must be the clinician the visit is assigned to.
	ClinicianID string
	Now         time.Time
}

// AcceptVisit records the assigned clinician's acceptance. Accepting again
// records nothing.
func AcceptVisit(cmd AcceptVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusAssigned, StatusAccepted:
		default:
			return nil, refuse(s, "accepted")
		}
		if err := checkActing(s, cmd.ClinicianID); err != nil {
			return nil, err
		}
		if s.Status == StatusAccepted {
			return nil, nil
		}
		return []events.Data{accepted(s, cmd.Now)}, nil
	}
}

func accepted(s VisitState, now time.Time) homevisits.AssignmentAccepted {
	return homevisits.AssignmentAccepted{ClinicianID: s.ClinicianID, Role: s.Role, AcceptedAt: now.UTC()}
}
