package discharge

import "time"

// PatientAdmitted opens a stay: one hospital admission (spell) of one patient
// (HL7 ADT A01).
type PatientAdmitted struct {
	// StayID is the stay's id (the stream is "stay-<StayID>").
	StayID string `json:"stayId"`
	// Patient is the opaque patient reference, also the envelope's subject.
	Patient string `json:"patient"`
	// HospitalSite is the ODS site code of the hospital, e.g. RTE01.
	HospitalSite string          `json:"hospitalSite"`
	Ward         string          `json:"ward"`
	AdmittedAt   time.Time       `json:"admittedAt"`
	Method       AdmissionMethod `json:"admissionMethod"`
	// Practice is the ODS code of the patient's registered GP practice and
	// PCN that practice's PCN: the routing area of every event of the stay.
	Practice string `json:"practice"`
	PCN      string `json:"pcn"`
}

// EventType implements events.Data.
func (PatientAdmitted) EventType() string { return "careweave.discharge.patient_admitted.v1" }

// DischargePlanned records the Discharge to Assess pathway and the expected
// discharge date, or a revision of the expected date.
type DischargePlanned struct {
	Pathway Pathway `json:"pathway"`
	// ExpectedDate is a calendar date (YYYY-MM-DD) in the hospital's local
	// time (Europe/London), not an instant: a date carried as midnight UTC
	// would show as the previous day during British Summer Time.
	ExpectedDate string `json:"expectedDate"`
	// PreviousExpectedDate is set when this revises an earlier plan.
	PreviousExpectedDate string    `json:"previousExpectedDate,omitempty"`
	PlannedAt            time.Time `json:"plannedAt"`
}

// EventType implements events.Data.
func (DischargePlanned) EventType() string { return "careweave.discharge.discharge_planned.v1" }

// PathwayChanged records a planned patient moving between pathways before
// discharge.
type PathwayChanged struct {
	From      Pathway             `json:"from"`
	To        Pathway             `json:"to"`
	Reason    PathwayChangeReason `json:"reason"`
	ChangedAt time.Time           `json:"changedAt"`
}

// EventType implements events.Data.
func (PathwayChanged) EventType() string { return "careweave.discharge.pathway_changed.v1" }

// PatientDischarged records the patient leaving hospital (HL7 ADT A03), with
// the deadlines that start from it.
type PatientDischarged struct {
	DischargedAt time.Time       `json:"dischargedAt"`
	Method       DischargeMethod `json:"method"`
	Destination  Destination     `json:"destination"`
	// CareHomeID is the directory id of the care home when Destination is
	// care-home, and empty otherwise.
	CareHomeID string         `json:"careHomeId,omitempty"`
	Pathway    Pathway        `json:"pathway"`
	Needs      []FollowUpNeed `json:"needs,omitempty"`
	// HospitalSite, Ward and Practice repeat the admission's so a consumer
	// that starts here (a community team, the GP practice) needs nothing else.
	HospitalSite string `json:"hospitalSite"`
	Ward         string `json:"ward"`
	Practice     string `json:"practice"`
	// SummaryDueBy is when the discharge summary must have reached the GP.
	SummaryDueBy time.Time `json:"summaryDueBy"`
	// FollowUpDueBy is the community follow-up deadline of the pathway (and
	// needs); zero (absent) when none is required.
	FollowUpDueBy time.Time `json:"followUpDueBy,omitzero"`
}

// EventType implements events.Data.
func (PatientDischarged) EventType() string { return "careweave.discharge.patient_discharged.v1" }

// DischargeCancelled retracts a discharge (HL7 ADT A13): the patient did not
// leave, or the discharge was entered in error. Every view must show the
// retracted discharge as retracted, never drop it. It withdraws what hung on
// that discharge; the fields below name what a consumer must take off its
// worklists.
type DischargeCancelled struct {
	Reason      CancelReason `json:"reason"`
	CancelledAt time.Time    `json:"cancelledAt"`
	// DischargedAt identifies the discharge retracted.
	DischargedAt time.Time `json:"dischargedAt"`
	// FollowUpTeamID is the community team whose follow-up is withdrawn, if
	// one was assigned.
	FollowUpTeamID string `json:"followUpTeamId,omitempty"`
	// MedicinesPharmacy is the community pharmacy whose Discharge Medicines
	// Service referral is withdrawn, if one was made.
	MedicinesPharmacy string `json:"medicinesPharmacy,omitempty"`
	// ReadmissionStayID is the stay whose readmission signal is withdrawn,
	// if one was detected.
	ReadmissionStayID string `json:"readmissionStayId,omitempty"`
}

// EventType implements events.Data.
func (DischargeCancelled) EventType() string { return "careweave.discharge.discharge_cancelled.v1" }

// DischargeSummaryReceived records the discharge summary reaching the GP
// practice; Late when it came after DueBy.
type DischargeSummaryReceived struct {
	ReceivedAt time.Time `json:"receivedAt"`
	DueBy      time.Time `json:"dueBy"`
	Late       bool      `json:"late"`
}

// EventType implements events.Data.
func (DischargeSummaryReceived) EventType() string {
	return "careweave.discharge.discharge_summary_received.v1"
}

// MedicinesServiceReferred records a referral to the Discharge Medicines
// Service: the community pharmacy's first check is due by FirstCheckDueBy.
type MedicinesServiceReferred struct {
	// Pharmacy is the community pharmacy's ODS code.
	Pharmacy        string    `json:"pharmacy"`
	ReferredAt      time.Time `json:"referredAt"`
	FirstCheckDueBy time.Time `json:"firstCheckDueBy"`
	// PreviousPharmacy is set when this re-refers to another pharmacy.
	PreviousPharmacy string `json:"previousPharmacy,omitempty"`
}

// EventType implements events.Data.
func (MedicinesServiceReferred) EventType() string {
	return "careweave.discharge.medicines_service_referred.v1"
}

// FollowUpAssigned gives the community follow-up of a discharge to a team.
// It repeats the discharge facts the team's worklist needs.
type FollowUpAssigned struct {
	// TeamID is the community team's directory id.
	TeamID     string    `json:"teamId"`
	AssignedAt time.Time `json:"assignedAt"`
	DueBy      time.Time `json:"dueBy"`
	// PreviousTeamID is set when this moves the follow-up from another team.
	PreviousTeamID string         `json:"previousTeamId,omitempty"`
	DischargedAt   time.Time      `json:"dischargedAt"`
	Pathway        Pathway        `json:"pathway"`
	Needs          []FollowUpNeed `json:"needs,omitempty"`
	Destination    Destination    `json:"destination"`
	CareHomeID     string         `json:"careHomeId,omitempty"`
	Practice       string         `json:"practice"`
}

// EventType implements events.Data.
func (FollowUpAssigned) EventType() string { return "careweave.discharge.follow_up_assigned.v1" }

// FollowUpCompleted records the community follow-up done, by whom and with
// what outcome; Late when CompletedAt is after DueBy.
type FollowUpCompleted struct {
	TeamID string `json:"teamId"`
	// ClinicianID and ClinicianRole come from the directory.
	ClinicianID   string          `json:"clinicianId"`
	ClinicianRole string          `json:"clinicianRole"`
	Outcome       FollowUpOutcome `json:"outcome"`
	CompletedAt   time.Time       `json:"completedAt"`
	DueBy         time.Time       `json:"dueBy"`
	Late          bool            `json:"late"`
}

// EventType implements events.Data.
func (FollowUpCompleted) EventType() string { return "careweave.discharge.follow_up_completed.v1" }

// FollowUpMissed records that the community follow-up did not happen.
type FollowUpMissed struct {
	TeamID     string       `json:"teamId"`
	Reason     MissedReason `json:"reason"`
	DueBy      time.Time    `json:"dueBy"`
	RecordedAt time.Time    `json:"recordedAt"`
}

// EventType implements events.Data.
func (FollowUpMissed) EventType() string { return "careweave.discharge.follow_up_missed.v1" }

// ReadmissionDetected records, on the earlier stay, an emergency readmission
// of the patient within the readmission window (0-29 days) of its discharge.
type ReadmissionDetected struct {
	// NewStayID is the stay of the readmission.
	NewStayID       string          `json:"newStayId"`
	ReadmittedAt    time.Time       `json:"readmittedAt"`
	AdmissionMethod AdmissionMethod `json:"admissionMethod"`
	// DaysSinceDischarge counts calendar days in local time: 0 is the day
	// of discharge.
	DaysSinceDischarge int       `json:"daysSinceDischarge"`
	DischargedAt       time.Time `json:"dischargedAt"`
	Pathway            Pathway   `json:"pathway"`
}

// EventType implements events.Data.
func (ReadmissionDetected) EventType() string { return "careweave.discharge.readmission_detected.v1" }

// StayClosed records that everything owed after a discharge is settled: the
// discharge summary reached the GP and the community follow-up was
// completed, missed or not required.
type StayClosed struct {
	ClosedAt    time.Time       `json:"closedAt"`
	FollowUp    FollowUpClosure `json:"followUp"`
	SummaryLate bool            `json:"summaryLate"`
}

// EventType implements events.Data.
func (StayClosed) EventType() string { return "careweave.discharge.stay_closed.v1" }
