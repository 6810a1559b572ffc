package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

// MarkOnSiteCmd is the assigned clinician arriving with the patient.
type MarkOnSiteCmd struct {
	// ClinicianID is the acting clinician (the API sets it from the actor);
	// it must be the clinician the visit is assigned to.
	ClinicianID string
	Now         time.Time
}

// MarkOnSite records that the assigned clinician arrived. It need not follow
// MarkEnRoute (a clinician may forget to say they set off); from assigned it
// records the acceptance first. Marking on site again records nothing.
func MarkOnSite(cmd MarkOnSiteCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusAssigned, StatusAccepted, StatusEnRoute, StatusOnSite:
		default:
			return nil, refuse(s, "marked on site")
		}
		if err := checkActing(s, cmd.ClinicianID); err != nil {
			return nil, err
		}
		arrived := homevisits.ClinicianArrived{ClinicianID: s.ClinicianID, Role: s.Role, ArrivedAt: cmd.Now.UTC()}
		switch s.Status {
		case StatusOnSite:
			return nil, nil
		case StatusAssigned:
			return []events.Data{accepted(s, cmd.Now), arrived}, nil
		}
		return []events.Data{arrived}, nil
	}
}
