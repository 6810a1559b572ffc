package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

// MarkEnRouteCmd is the assigned clinician setting off to the patient.
type MarkEnRouteCmd struct {
	// ClinicianID is the acting clinician (the API sets it from the actor);
	// it must be the clinician the visit is assigned to.
	ClinicianID string
	Now         time.Time
}

// MarkEnRoute records that the assigned clinician set off. From assigned it
// records the acceptance first: setting off is accepting. Marking en route
// again records nothing.
func MarkEnRoute(cmd MarkEnRouteCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusAssigned, StatusAccepted, StatusEnRoute:
		default:
			return nil, refuse(s, "marked en route")
		}
		if err := checkActing(s, cmd.ClinicianID); err != nil {
			return nil, err
		}
		travel := homevisits.TravelStarted{ClinicianID: s.ClinicianID, Role: s.Role, StartedAt: cmd.Now.UTC()}
		switch s.Status {
		case StatusEnRoute:
			return nil, nil
		case StatusAssigned:
			return []events.Data{accepted(s, cmd.Now), travel}, nil
		}
		return []events.Data{travel}, nil
	}
}
