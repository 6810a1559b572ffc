package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

// RecordNoAccessCmd records that the clinician could not get to the patient.
type RecordNoAccessCmd struct {
	// ClinicianID is the acting clinician (the API sets it from the actor);
	// it must be the clinician the visit is assigned to.
	ClinicianID string
	// Reason is required (at most MaxReasonLen characters).
	Reason string
	Now    time.Time
}

// RecordNoAccess closes a visit the clinician set off for or reached but
// could not get in to. A clinician worried for the patient's welfare
// escalates instead (EscalateVisit).
func RecordNoAccess(cmd RecordNoAccessCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusEnRoute, StatusOnSite:
		default:
			return nil, refuse(s, "recorded as no access")
		}
		if err := checkActing(s, cmd.ClinicianID); err != nil {
			return nil, err
		}
		reason, err := text("reason", cmd.Reason, MaxReasonLen, true)
		if err != nil {
			return nil, err
		}
		return []events.Data{homevisits.NoAccessRecorded{
			ClinicianID: s.ClinicianID, Role: s.Role, Reason: reason, RecordedAt: cmd.Now.UTC(),
		}}, nil
	}
}
