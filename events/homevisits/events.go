package homevisits

import "time"

// VisitRequested records a request for a home visit: the visit exists from
// here on, waiting for the duty GP's triage.
type VisitRequested struct {
	// Patient is the opaque patient reference, also the envelope's subject.
	Patient string `json:"patient"`
	// Practice is the ODS code of the patient's practice.
	Practice string `json:"practice"`
	// PCN is the ODS code of the practice's Primary Care Network: the
	// routing area of every event of the visit.
	PCN string `json:"pcn"`
	// CareHome is the directory id of the care home the patient lives in,
	// when they live in one.
	CareHome string `json:"careHome,omitempty"`
	// Reason is what the caller said, as recorded (at most 500 characters).
	Reason      string    `json:"reason"`
	Source      Source    `json:"source"`
	Caller      Caller    `json:"caller"`
	RequestedAt time.Time `json:"requestedAt"`
}

// EventType implements events.Data.
func (VisitRequested) EventType() string { return "careweave.homevisits.visit_requested.v1" }

// VisitTriaged records that a GP decided a visit is needed, how urgently and
// in which window. It is also recorded when a GP re-triages a visit that has
// not yet been set off to (then PreviousUrgency is set, and ClinicianID names
// whoever holds the visit, so they can be told).
type VisitTriaged struct {
	// TriagedBy is the directory id of the triaging clinician.
	TriagedBy     string `json:"triagedBy"`
	TriagedByRole Role   `json:"triagedByRole"`
	// Urgency is the name of a configured urgency band, e.g. "urgent".
	Urgency string `json:"urgency"`
	Window  Window `json:"window"`
	Notes   string `json:"notes,omitempty"`
	// PreviousUrgency is the band before a re-triage; empty on the first.
	PreviousUrgency string `json:"previousUrgency,omitempty"`
	// ClinicianID and Role name the clinician holding the visit at a
	// re-triage, if any.
	ClinicianID string    `json:"clinicianId,omitempty"`
	Role        Role      `json:"role,omitempty"`
	TriagedAt   time.Time `json:"triagedAt"`
}

// EventType implements events.Data.
func (VisitTriaged) EventType() string { return "careweave.homevisits.visit_triaged.v1" }

// TriagedWithoutVisit records that a GP dealt with the request without a
// visit (advice, a prescription, asking the patient to attend surgery, or a
// referral to 999 or the Urgent Community Response). The visit is closed. If
// a clinician held the visit (a re-triage), ClinicianID names them so they
// can be stood down.
type TriagedWithoutVisit struct {
	TriagedBy     string        `json:"triagedBy"`
	TriagedByRole Role          `json:"triagedByRole"`
	Outcome       TriageOutcome `json:"outcome"`
	Notes         string        `json:"notes,omitempty"`
	ClinicianID   string        `json:"clinicianId,omitempty"`
	Role          Role          `json:"role,omitempty"`
	TriagedAt     time.Time     `json:"triagedAt"`
}

// EventType implements events.Data.
func (TriagedWithoutVisit) EventType() string {
	return "careweave.homevisits.triaged_without_visit.v1"
}

// VisitAssigned records that a triaged visit was given to a clinician. It
// repeats the urgency and window so the clinician's worklist needs nothing
// else.
type VisitAssigned struct {
	ClinicianID string    `json:"clinicianId"`
	Role        Role      `json:"role"`
	Urgency     string    `json:"urgency"`
	Window      Window    `json:"window"`
	AssignedAt  time.Time `json:"assignedAt"`
}

// EventType implements events.Data.
func (VisitAssigned) EventType() string { return "careweave.homevisits.visit_assigned.v1" }

// VisitReassigned records that a visit moved from one clinician to another
// before anyone set off. Any acceptance by the previous clinician no longer
// stands: the new clinician has to accept.
type VisitReassigned struct {
	FromClinicianID string `json:"fromClinicianId"`
	FromRole        Role   `json:"fromRole"`
	ClinicianID     string `json:"clinicianId"`
	Role            Role   `json:"role"`
	// Reason is optional free text, e.g. "Jess off sick".
	Reason       string    `json:"reason,omitempty"`
	Urgency      string    `json:"urgency"`
	Window       Window    `json:"window"`
	ReassignedAt time.Time `json:"reassignedAt"`
}

// EventType implements events.Data.
func (VisitReassigned) EventType() string { return "careweave.homevisits.visit_reassigned.v1" }

// AssignmentAccepted records that the assigned clinician accepted the visit.
type AssignmentAccepted struct {
	ClinicianID string    `json:"clinicianId"`
	Role        Role      `json:"role"`
	AcceptedAt  time.Time `json:"acceptedAt"`
}

// EventType implements events.Data.
func (AssignmentAccepted) EventType() string {
	return "careweave.homevisits.assignment_accepted.v1"
}

// AssignmentDeclined records that the assigned clinician handed the visit
// back, and why; a coordinator must reassign it.
type AssignmentDeclined struct {
	ClinicianID string    `json:"clinicianId"`
	Role        Role      `json:"role"`
	Reason      string    `json:"reason"`
	DeclinedAt  time.Time `json:"declinedAt"`
}

// EventType implements events.Data.
func (AssignmentDeclined) EventType() string {
	return "careweave.homevisits.assignment_declined.v1"
}

// AssignmentTimedOut records that the assigned clinician did not accept the
// visit within the PCN's acceptance time: it goes back to the duty
// coordinator to reassign, and the clinician no longer holds it. Careweave
// records it itself (a timer in the home-visits service), so the actor is
// the system.
type AssignmentTimedOut struct {
	ClinicianID string    `json:"clinicianId"`
	Role        Role      `json:"role"`
	AssignedAt  time.Time `json:"assignedAt"`
	// AcceptBy is when acceptance was due; TimedOutAt when the timer fired
	// (later, if the service was down then).
	AcceptBy   time.Time `json:"acceptBy"`
	TimedOutAt time.Time `json:"timedOutAt"`
}

// EventType implements events.Data.
func (AssignmentTimedOut) EventType() string {
	return "careweave.homevisits.assignment_timed_out.v1"
}

// TravelStarted records that the assigned clinician set off to the patient
// (the visit is en route).
type TravelStarted struct {
	ClinicianID string    `json:"clinicianId"`
	Role        Role      `json:"role"`
	StartedAt   time.Time `json:"startedAt"`
}

// EventType implements events.Data.
func (TravelStarted) EventType() string { return "careweave.homevisits.travel_started.v1" }

// ClinicianArrived records that the assigned clinician is with the patient
// (the visit is on site).
type ClinicianArrived struct {
	ClinicianID string    `json:"clinicianId"`
	Role        Role      `json:"role"`
	ArrivedAt   time.Time `json:"arrivedAt"`
}

// EventType implements events.Data.
func (ClinicianArrived) EventType() string { return "careweave.homevisits.clinician_arrived.v1" }

// VisitCompleted records that the visit took place and how it ended.
type VisitCompleted struct {
	ClinicianID string  `json:"clinicianId"`
	Role        Role    `json:"role"`
	Outcome     Outcome `json:"outcome"`
	// Notes is the clinician's summary (at most 1000 characters).
	Notes       string    `json:"notes,omitempty"`
	CompletedAt time.Time `json:"completedAt"`
}

// EventType implements events.Data.
func (VisitCompleted) EventType() string { return "careweave.homevisits.visit_completed.v1" }

// NoAccessRecorded records that the clinician could not get to the patient
// (no answer, refused entry, ...). The visit is closed; the practice decides
// what happens next.
type NoAccessRecorded struct {
	ClinicianID string    `json:"clinicianId"`
	Role        Role      `json:"role"`
	Reason      string    `json:"reason"`
	RecordedAt  time.Time `json:"recordedAt"`
}

// EventType implements events.Data.
func (NoAccessRecorded) EventType() string { return "careweave.homevisits.no_access_recorded.v1" }

// VisitCancelled records that the visit is no longer wanted. ClinicianID
// names the clinician who held it, if anyone, so they can be stood down.
type VisitCancelled struct {
	Reason CancelReason `json:"reason"`
	// Notes is free text; required when Reason is "other".
	Notes string `json:"notes,omitempty"`
	// DuplicateOf is the id of the visit this one duplicates, when known.
	DuplicateOf string    `json:"duplicateOf,omitempty"`
	ClinicianID string    `json:"clinicianId,omitempty"`
	Role        Role      `json:"role,omitempty"`
	CancelledAt time.Time `json:"cancelledAt"`
}

// EventType implements events.Data.
func (VisitCancelled) EventType() string { return "careweave.homevisits.visit_cancelled.v1" }

// VisitEscalated records that the visit was handed on: back to the GP, to 999
// or to the Urgent Community Response. The visit is closed here; the
// receiving service owns what happens next. ClinicianID names the clinician
// who held it, if anyone.
type VisitEscalated struct {
	To          EscalationTarget `json:"to"`
	Reason      string           `json:"reason"`
	ClinicianID string           `json:"clinicianId,omitempty"`
	Role        Role             `json:"role,omitempty"`
	EscalatedAt time.Time        `json:"escalatedAt"`
}

// EventType implements events.Data.
func (VisitEscalated) EventType() string { return "careweave.homevisits.visit_escalated.v1" }
