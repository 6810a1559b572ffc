package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
)

// residencyAggregate names the residency in refusals.
const residencyAggregate = "residency"

// ResidencyStatus is where a resident's stay in a home is.
type ResidencyStatus string

// Residency statuses. A residency that does not exist yet has status "".
const (
	// ResidencyStatusAdmitted: in the home; holistic assessment not done yet.
	ResidencyStatusAdmitted ResidencyStatus = "admitted"
	// ResidencyStatusAssessed: assessed; care plan not agreed yet.
	ResidencyStatusAssessed ResidencyStatus = "assessed"
	// ResidencyStatusCarePlanned: assessed and the PCSP agreed.
	ResidencyStatusCarePlanned ResidencyStatus = "care-planned"
	// ResidencyStatusDischarged: left the home alive; may be readmitted.
	ResidencyStatusDischarged ResidencyStatus = "discharged"
	// ResidencyStatusDied: died while living in the home. Final.
	ResidencyStatusDied ResidencyStatus = "died"
)

// InHome reports whether the status is one of a resident living in the home.
func (st ResidencyStatus) InHome() bool {
	return st == ResidencyStatusAdmitted || st == ResidencyStatusAssessed || st == ResidencyStatusCarePlanned
}

// ResidencyState is one resident's residency in one home, as of its current
// (or last) stay; earlier stays are in the event history. The API renders it
// as is.
type ResidencyState struct {
	Patient    string          `json:"patient"`
	CareHomeID string          `json:"careHomeId"`
	Area       string          `json:"area"`
	Status     ResidencyStatus `json:"status"`
	// Stay counts admissions in this stream: 1, then 2 after a readmission.
	Stay              int            `json:"stay"`
	AdmittedAt        time.Time      `json:"admittedAt"`
	Readmission       bool           `json:"readmission"`
	PrioritisedForSMR bool           `json:"prioritisedForSmr"`
	WorkingDays       int            `json:"workingDays"`
	DueOn             carehomes.Date `json:"dueOn"` // assessment and care plan

	AssessedAt       time.Time `json:"assessedAt,omitzero"`
	AssessedBy       string    `json:"assessedBy,omitempty"`
	AssessorRole     string    `json:"assessorRole,omitempty"`
	AssessmentOnTime bool      `json:"assessmentOnTime,omitempty"`

	CarePlanAgreedAt     time.Time            `json:"carePlanAgreedAt,omitzero"`
	CarePlanAgreedBy     string               `json:"carePlanAgreedBy,omitempty"`
	CarePlanAgreedByRole string               `json:"carePlanAgreedByRole,omitempty"`
	CarePlanAgreedWith   carehomes.AgreedWith `json:"carePlanAgreedWith,omitempty"`
	CarePlanOnTime       bool                 `json:"carePlanOnTime,omitempty"`

	DischargedAt  time.Time             `json:"dischargedAt,omitzero"`
	Destination   carehomes.Destination `json:"destination,omitempty"`
	DischargeNote string                `json:"dischargeNote,omitempty"`
	DiedAt        time.Time             `json:"diedAt,omitzero"`
}

// RouteResidency routes a residency's events: subject the patient, area the
// PCN of the home.
func RouteResidency(s ResidencyState) (subject, area string) { return s.Patient, s.Area }

// EvolveResidency applies one event. It never fails; events of other
// aggregates leave the state unchanged. An admission starts a new stay and
// forgets the last stay's milestones.
func EvolveResidency(s ResidencyState, e events.Data) ResidencyState {
	switch e := e.(type) {
	case carehomes.ResidentAdmitted:
		return ResidencyState{
			Patient: e.Patient, CareHomeID: e.CareHomeID, Area: e.Area, Status: ResidencyStatusAdmitted,
			Stay: e.Stay, AdmittedAt: e.AdmittedAt, Readmission: e.Readmission,
			PrioritisedForSMR: e.PrioritisedForSMR, WorkingDays: e.WorkingDays, DueOn: e.DueOn,
		}
	case carehomes.AssessmentCompleted:
		s.Status = ResidencyStatusAssessed
		s.AssessedAt, s.AssessedBy, s.AssessorRole, s.AssessmentOnTime = e.CompletedAt, e.AssessedBy, e.AssessorRole, e.OnTime
	case carehomes.CarePlanAgreed:
		s.Status = ResidencyStatusCarePlanned
		s.CarePlanAgreedAt, s.CarePlanAgreedBy, s.CarePlanAgreedByRole = e.AgreedAt, e.AgreedBy, e.AgreedByRole
		s.CarePlanAgreedWith, s.CarePlanOnTime = e.AgreedWith, e.OnTime
	case carehomes.ResidentDischarged:
		s.Status = ResidencyStatusDischarged
		s.DischargedAt, s.Destination, s.DischargeNote = e.DischargedAt, e.Destination, e.Note
	case carehomes.ResidentDied:
		s.Status = ResidencyStatusDied
		s.DiedAt = e.DiedAt
	}
	return s
}
