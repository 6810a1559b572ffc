package domain

import (
	"fmt"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// AdmitResidentCmd admits a resident to a care home, or readmits them to a
// home they left. The API layer resolves Area (the ODS code of the PCN the
// home is aligned to) from the directory, checks CareHomeID exists, and
// chooses the residency's id so that one resident has one residency per
// home (e.g. from the patient reference and the home id).
type AdmitResidentCmd struct {
	Patient     string    // "patient": opaque patient reference
	CareHomeID  string    // "careHomeId"
	Area        string    // "area": resolved, the home's PCN
	AdmittedAt  time.Time // "admittedAt": zero means Now
	Readmission bool      // "readmission": a return to this home, known to the caller
	Now         time.Time
}

// AdmitResident starts a stay, and the national clock: the holistic
// assessment and the PCSP are due rules.WorkingDays working days later.
// The event states that the resident is prioritised for a structured
// medication review, as every care-home resident is (national rule).
//
// A residency that exists and is discharged is readmitted: a new stay,
// always flagged as a readmission. One whose resident is living in the home
// fails with domain.ErrAlreadyExists; one whose resident died is refused.
func AdmitResident(cmd AdmitResidentCmd, rules Rules) func(s ResidencyState, version int64) ([]events.Data, error) {
	return func(s ResidencyState, version int64) ([]events.Data, error) {
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		if err := checkPatient("patient", cmd.Patient); err != nil {
			return nil, err
		}
		if err := checkDirectoryID("careHomeId", cmd.CareHomeID); err != nil {
			return nil, err
		}
		if err := checkArea("area", cmd.Area); err != nil {
			return nil, err
		}
		at, err := occurredAt("admittedAt", cmd.AdmittedAt, cmd.Now)
		if err != nil {
			return nil, err
		}
		e := carehomes.ResidentAdmitted{
			Patient: cmd.Patient, CareHomeID: cmd.CareHomeID, Area: cmd.Area, Stay: 1,
			AdmittedAt: at, Readmission: cmd.Readmission, PrioritisedForSMR: true,
			WorkingDays: rules.WorkingDays, DueOn: rules.DueOn(at),
		}
		if version == 0 {
			return one(e)
		}
		if s.Patient != cmd.Patient {
			return nil, domain.Invalid("patient", "is not the resident of this residency")
		}
		if s.CareHomeID != cmd.CareHomeID {
			return nil, domain.Invalid("careHomeId", "is not the care home of this residency")
		}
		switch {
		case s.Status.InHome():
			return nil, fmt.Errorf("%w: the resident is living in the home (%s)", domain.ErrAlreadyExists, s.Status)
		case s.Status != ResidencyStatusDischarged:
			return nil, refuseResidency(s, "admitted")
		}
		if at.Before(s.DischargedAt) {
			return nil, domain.Invalid("admittedAt", "is before the resident's last discharge from this home")
		}
		e.Stay, e.Readmission = s.Stay+1, true
		return one(e)
	}
}
