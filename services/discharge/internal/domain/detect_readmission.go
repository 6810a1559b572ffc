package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// DetectReadmissionCmd tells an earlier stay of a patient that the patient
// was admitted again. The API runs it on the patient's previous stay when a
// new stay is admitted.
type DetectReadmissionCmd struct {
	// NewStayID, AdmittedAt and Method are the new stay's.
	NewStayID  string
	AdmittedAt time.Time
	Method     discharge.AdmissionMethod
	Now        time.Time
}

// DetectReadmission decides DetectReadmissionCmd: it records
// ReadmissionDetected when the new admission is an emergency admission on
// calendar day 0 to Rules.ReadmissionWindowDays (inclusive) after this
// stay's standing discharge, counted in Rules.Location. Otherwise it records
// nothing and is not an error: an elective or transfer admission, a day past
// the window, a readmission already recorded, or a stay with no standing
// discharge (never discharged, or the discharge was cancelled: a cancelled
// discharge is not a discharge). A closed stay is still discharged and can
// be readmitted from. An admission before the discharge is invalid
// (overlapping stays are a linkage error to look at, not a readmission).
func DetectReadmission(cmd DetectReadmissionCmd, rules Rules) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if err := rules.check(); err != nil {
			return nil, err
		}
		if err := checkReference("newStayId", cmd.NewStayID); err != nil {
			return nil, err
		}
		if cmd.NewStayID == s.ID {
			return nil, domain.Invalid("newStayId", "is this stay")
		}
		if !cmd.Method.Valid() {
			return nil, domain.Invalid("admissionMethod", "must be emergency, elective or transfer")
		}
		if err := checkTime("admittedAt", cmd.AdmittedAt, cmd.Now, time.Time{}, ""); err != nil {
			return nil, err
		}
		d := s.Discharge
		if d == nil || d.Readmission != nil || cmd.Method != discharge.AdmissionEmergency {
			return nil, nil
		}
		if cmd.AdmittedAt.Before(d.DischargedAt) {
			return nil, domain.Invalid("admittedAt", "is before this stay's discharge")
		}
		days := rules.CalendarDays(d.DischargedAt, cmd.AdmittedAt)
		if days > rules.ReadmissionWindowDays {
			return nil, nil
		}
		return []events.Data{discharge.ReadmissionDetected{
			NewStayID: cmd.NewStayID, ReadmittedAt: cmd.AdmittedAt.UTC(), AdmissionMethod: cmd.Method,
			DaysSinceDischarge: days, DischargedAt: d.DischargedAt, Pathway: d.Pathway,
		}}, nil
	}
}
