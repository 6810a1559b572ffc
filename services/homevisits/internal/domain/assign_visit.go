package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

// AssignVisitCmd gives a triaged visit to a clinician.
type AssignVisitCmd struct {
	// ClinicianID is the clinician's directory id; Role is their role, looked
	// up by the API, and must be one of Rules.VisitRoles.
	ClinicianID string
	Role        homevisits.Role
	Now         time.Time
}

// AssignVisit assigns a triaged visit. Assigning it to the clinician who
// already holds it records nothing; to anyone else, use ReassignVisit.
func AssignVisit(rules Rules, cmd AssignVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusTriaged:
		case StatusAssigned, StatusAccepted:
			if cmd.ClinicianID == s.ClinicianID {
				return nil, nil
			}
			return nil, refuse(s, "assigned")
		default:
			return nil, refuse(s, "assigned")
		}
		if err := checkDirectoryID("clinicianId", cmd.ClinicianID); err != nil {
			return nil, err
		}
		if err := rules.checkVisitor(cmd.Role); err != nil {
			return nil, err
		}
		return []events.Data{homevisits.VisitAssigned{
			ClinicianID: cmd.ClinicianID, Role: cmd.Role, Urgency: s.Urgency, Window: s.Window,
			AssignedAt: cmd.Now.UTC(),
		}}, nil
	}
}
