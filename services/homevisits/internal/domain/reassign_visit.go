package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/domain"
)

// ReassignVisitCmd moves a visit to another clinician.
type ReassignVisitCmd struct {
	// ClinicianID is the new clinician's directory id; Role is their role,
	// looked up by the API, and must be one of Rules.VisitRoles.
	ClinicianID string
	Role        homevisits.Role
	// Reason is optional (at most MaxReasonLen characters).
	Reason string
	Now    time.Time
}

// ReassignVisit moves an assigned, accepted or declined visit to another
// clinician before anyone has set off; any acceptance is cleared, and the new
// clinician must accept. Reassigning to the clinician who already holds it
// records nothing; back to the clinician who just declined it is invalid.
func ReassignVisit(rules Rules, cmd ReassignVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusAssigned, StatusAccepted, StatusDeclined, StatusTimedOut:
		default:
			return nil, refuse(s, "reassigned")
		}
		if err := checkDirectoryID("clinicianId", cmd.ClinicianID); err != nil {
			return nil, err
		}
		if cmd.ClinicianID == s.ClinicianID && s.Status != StatusTimedOut { // after a timeout, giving them another chance is a reassignment
			if s.Status == StatusDeclined {
				return nil, domain.Invalid("clinicianId", "declined this visit: choose another clinician")
			}
			return nil, nil
		}
		if err := rules.checkVisitor(cmd.Role); err != nil {
			return nil, err
		}
		reason, err := text("reason", cmd.Reason, MaxReasonLen, false)
		if err != nil {
			return nil, err
		}
		return []events.Data{homevisits.VisitReassigned{
			FromClinicianID: s.ClinicianID, FromRole: s.Role, ClinicianID: cmd.ClinicianID, Role: cmd.Role,
			Reason: reason, Urgency: s.Urgency, Window: s.Window, ReassignedAt: cmd.Now.UTC(),
		}}, nil
	}
}
