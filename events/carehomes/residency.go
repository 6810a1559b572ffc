package carehomes

import "time"

// ResidentAdmitted: a resident was admitted, or readmitted, to a care home.
// It starts the national clock: a holistic assessment and a Personalised
// Care and Support Plan are due by DueOn, WorkingDays working days later
// (weekends and bank holidays skipped).
//
// Readmission is true for a return to a home the resident lived in before
// (the caller may know of stays older than this stream). PrioritisedForSMR
// states the national rule that care-home residents are a priority cohort
// for a structured medication review; the medreviews service consumes it.
type ResidentAdmitted struct {
	Patient           string    `json:"patient"`    // opaque patient reference
	CareHomeID        string    `json:"careHomeId"` // directory id of the home
	Area              string    `json:"area"`       // ODS code of the home's PCN
	Stay              int       `json:"stay"`       // 1 for the first admission in this stream, then 2, 3...
	AdmittedAt        time.Time `json:"admittedAt"`
	Readmission       bool      `json:"readmission"`
	PrioritisedForSMR bool      `json:"prioritisedForSmr"`
	WorkingDays       int       `json:"workingDays"`
	DueOn             Date      `json:"dueOn"`
}

// EventType implements events.Data.
func (ResidentAdmitted) EventType() string { return "careweave.carehomes.resident_admitted.v1" }

// AssessmentCompleted: the resident's holistic assessment for this stay was
// completed. OnTime says whether it was done by DueOn.
type AssessmentCompleted struct {
	Patient      string    `json:"patient"`
	CareHomeID   string    `json:"careHomeId"`
	Stay         int       `json:"stay"`
	AssessedBy   string    `json:"assessedBy"` // clinician id
	AssessorRole string    `json:"assessorRole"`
	CompletedAt  time.Time `json:"completedAt"`
	DueOn        Date      `json:"dueOn"`
	OnTime       bool      `json:"onTime"`
}

// EventType implements events.Data.
func (AssessmentCompleted) EventType() string {
	return "careweave.carehomes.holistic_assessment_completed.v1"
}

// CarePlanAgreed: the resident's Personalised Care and Support Plan for this
// stay was agreed, with the resident or whoever speaks for them. OnTime says
// whether it was agreed by DueOn.
type CarePlanAgreed struct {
	Patient      string     `json:"patient"`
	CareHomeID   string     `json:"careHomeId"`
	Stay         int        `json:"stay"`
	AgreedBy     string     `json:"agreedBy"` // clinician id
	AgreedByRole string     `json:"agreedByRole"`
	AgreedWith   AgreedWith `json:"agreedWith"`
	AgreedAt     time.Time  `json:"agreedAt"`
	DueOn        Date       `json:"dueOn"`
	OnTime       bool       `json:"onTime"`
}

// EventType implements events.Data.
func (CarePlanAgreed) EventType() string { return "careweave.carehomes.care_plan_agreed.v1" }

// ResidentDischarged: the resident left the home alive. AssessmentOutstanding
// and CarePlanOutstanding say the stay ended with that work not done, which
// stops its clock.
type ResidentDischarged struct {
	Patient               string      `json:"patient"`
	CareHomeID            string      `json:"careHomeId"`
	Stay                  int         `json:"stay"`
	DischargedAt          time.Time   `json:"dischargedAt"`
	Destination           Destination `json:"destination"`
	Note                  string      `json:"note,omitempty"`
	AssessmentOutstanding bool        `json:"assessmentOutstanding"`
	CarePlanOutstanding   bool        `json:"carePlanOutstanding"`
}

// EventType implements events.Data.
func (ResidentDischarged) EventType() string {
	return "careweave.carehomes.resident_discharged_from_home.v1"
}

// ResidentDied: the resident died while living in the home. It ends the
// residency for good.
type ResidentDied struct {
	Patient               string    `json:"patient"`
	CareHomeID            string    `json:"careHomeId"`
	Stay                  int       `json:"stay"`
	DiedAt                time.Time `json:"diedAt"`
	AssessmentOutstanding bool      `json:"assessmentOutstanding"`
	CarePlanOutstanding   bool      `json:"carePlanOutstanding"`
}

// EventType implements events.Data.
func (ResidentDied) EventType() string { return "careweave.carehomes.resident_died.v1" }
