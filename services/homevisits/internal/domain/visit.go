package domain

import (
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

// Aggregate is the visit aggregate's name: the prefix of its stream ids
// ("visit-<id>") and the noun in refusals ("the visit is completed; ...").
const Aggregate = "visit"

// Status is where a visit is in its life.
type Status string

// Statuses of a visit. The zero Status means the visit does not exist.
const (
	StatusRequested      Status = "requested"
	StatusTriagedNoVisit Status = "triaged-no-visit"
	StatusTriaged        Status = "triaged"
	StatusAssigned       Status = "assigned"
	StatusAccepted       Status = "accepted"
	StatusDeclined       Status = "declined"
	// StatusTimedOut: the clinician did not accept in time; the visit is
	// back with the duty coordinator to reassign.
	StatusTimedOut  Status = "timed-out"
	StatusEnRoute   Status = "en-route"
	StatusOnSite    Status = "on-site"
	StatusCompleted Status = "completed"
	StatusNoAccess  Status = "no-access"
	StatusCancelled Status = "cancelled"
	StatusEscalated Status = "escalated"
)

// Statuses returns every Status, in the order of a visit's life.
func Statuses() []Status {
	return []Status{StatusRequested, StatusTriagedNoVisit, StatusTriaged, StatusAssigned, StatusAccepted,
		StatusDeclined, StatusTimedOut, StatusEnRoute, StatusOnSite, StatusCompleted, StatusNoAccess, StatusCancelled,
		StatusEscalated}
}

// Valid reports whether s is a known Status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Terminal reports whether the visit is closed: a terminal visit refuses
// every command.
func (s Status) Terminal() bool {
	switch s {
	case StatusTriagedNoVisit, StatusCompleted, StatusNoAccess, StatusCancelled, StatusEscalated:
		return true
	}
	return false
}

// VisitState is a visit as its events left it. The JSON form is what the
// API returns for GET /visits/{id}; fields that do not apply yet are left
// out.
type VisitState struct {
	Status Status `json:"status"`

	// The request.
	Patient     string            `json:"patient"`
	Practice    string            `json:"practice"`
	PCN         string            `json:"pcn"`
	CareHome    string            `json:"careHome,omitempty"`
	Reason      string            `json:"reason"`
	Source      homevisits.Source `json:"source"`
	Caller      homevisits.Caller `json:"caller"`
	RequestedAt time.Time         `json:"requestedAt"`

	// Triage: the latest decision. Urgency and Window are set when a visit is
	// needed; TriageOutcome when it is not.
	TriagedBy     string                   `json:"triagedBy,omitempty"`
	TriagedByRole homevisits.Role          `json:"triagedByRole,omitempty"`
	Urgency       string                   `json:"urgency,omitempty"`
	Window        homevisits.Window        `json:"window,omitzero"`
	TriageOutcome homevisits.TriageOutcome `json:"triageOutcome,omitempty"`
	TriageNotes   string                   `json:"triageNotes,omitempty"`
	TriagedAt     time.Time                `json:"triagedAt,omitzero"`

	// Assignment: the clinician the visit was last given to. When the status
	// is declined they are the one who declined it; once the visit is closed,
	// the one who last had it.
	ClinicianID   string          `json:"clinicianId,omitempty"`
	Role          homevisits.Role `json:"role,omitempty"`
	AssignedAt    time.Time       `json:"assignedAt,omitzero"`
	AcceptedAt    time.Time       `json:"acceptedAt,omitzero"`
	DeclineReason string          `json:"declineReason,omitempty"`
	DeclinedAt    time.Time       `json:"declinedAt,omitzero"`
	// TimedOutAt is when the clinician was found not to have accepted in
	// time (see AcceptBy).
	TimedOutAt time.Time `json:"timedOutAt,omitzero"`
	EnRouteAt  time.Time `json:"enRouteAt,omitzero"`
	ArrivedAt  time.Time `json:"arrivedAt,omitzero"`

	// How it ended.
	Outcome          homevisits.Outcome          `json:"outcome,omitempty"`
	CompletionNotes  string                      `json:"completionNotes,omitempty"`
	NoAccessReason   string                      `json:"noAccessReason,omitempty"`
	CancelReason     homevisits.CancelReason     `json:"cancelReason,omitempty"`
	CancelNotes      string                      `json:"cancelNotes,omitempty"`
	DuplicateOf      string                      `json:"duplicateOf,omitempty"`
	EscalatedTo      homevisits.EscalationTarget `json:"escalatedTo,omitempty"`
	EscalationReason string                      `json:"escalationReason,omitempty"`
	// ClosedAt is when the visit reached a terminal state.
	ClosedAt time.Time `json:"closedAt,omitzero"`
}

// holder returns the clinician who has the visit in hand, if anyone: the one
// assigned, unless they declined it.
func (s VisitState) holder() (string, homevisits.Role) {
	switch s.Status {
	case StatusAssigned, StatusAccepted, StatusEnRoute, StatusOnSite:
		return s.ClinicianID, s.Role
	}
	return "", ""
}

// EvolveVisit applies one event to a visit. It is pure and total: it never
// fails, and an event it does not know leaves the state as it was.
func EvolveVisit(s VisitState, e events.Data) VisitState {
	switch e := e.(type) {
	case homevisits.VisitRequested:
		return VisitState{
			Status: StatusRequested, Patient: e.Patient, Practice: e.Practice, PCN: e.PCN,
			CareHome: e.CareHome, Reason: e.Reason, Source: e.Source, Caller: e.Caller,
			RequestedAt: e.RequestedAt,
		}
	case homevisits.VisitTriaged:
		if s.Status == StatusRequested {
			s.Status = StatusTriaged
		}
		s.TriagedBy, s.TriagedByRole, s.TriagedAt = e.TriagedBy, e.TriagedByRole, e.TriagedAt
		s.Urgency, s.Window, s.TriageNotes, s.TriageOutcome = e.Urgency, e.Window, e.Notes, ""
	case homevisits.TriagedWithoutVisit:
		s.Status, s.ClosedAt = StatusTriagedNoVisit, e.TriagedAt
		s.TriagedBy, s.TriagedByRole, s.TriagedAt = e.TriagedBy, e.TriagedByRole, e.TriagedAt
		s.Urgency, s.Window, s.TriageNotes, s.TriageOutcome = "", homevisits.Window{}, e.Notes, e.Outcome
	case homevisits.VisitAssigned:
		s = assign(s, e.ClinicianID, e.Role, e.AssignedAt)
	case homevisits.VisitReassigned:
		s = assign(s, e.ClinicianID, e.Role, e.ReassignedAt)
	case homevisits.AssignmentAccepted:
		s.Status, s.AcceptedAt = StatusAccepted, e.AcceptedAt
	case homevisits.AssignmentDeclined:
		s.Status, s.DeclineReason, s.DeclinedAt, s.AcceptedAt = StatusDeclined, e.Reason, e.DeclinedAt, time.Time{}
	case homevisits.AssignmentTimedOut:
		s.Status, s.TimedOutAt = StatusTimedOut, e.TimedOutAt
	case homevisits.TravelStarted:
		s.Status, s.EnRouteAt = StatusEnRoute, e.StartedAt
	case homevisits.ClinicianArrived:
		s.Status, s.ArrivedAt = StatusOnSite, e.ArrivedAt
	case homevisits.VisitCompleted:
		s.Status, s.Outcome, s.CompletionNotes, s.ClosedAt = StatusCompleted, e.Outcome, e.Notes, e.CompletedAt
	case homevisits.NoAccessRecorded:
		s.Status, s.NoAccessReason, s.ClosedAt = StatusNoAccess, e.Reason, e.RecordedAt
	case homevisits.VisitCancelled:
		s.Status, s.CancelReason, s.CancelNotes, s.DuplicateOf, s.ClosedAt =
			StatusCancelled, e.Reason, e.Notes, e.DuplicateOf, e.CancelledAt
	case homevisits.VisitEscalated:
		s.Status, s.EscalatedTo, s.EscalationReason, s.ClosedAt = StatusEscalated, e.To, e.Reason, e.EscalatedAt
	}
	return s
}

// assign gives the visit to a clinician afresh: no acceptance or decline of
// theirs stands yet.
func assign(s VisitState, clinician string, role homevisits.Role, at time.Time) VisitState {
	s.Status, s.ClinicianID, s.Role, s.AssignedAt = StatusAssigned, clinician, role, at
	s.AcceptedAt, s.DeclineReason, s.DeclinedAt, s.TimedOutAt = time.Time{}, "", time.Time{}, time.Time{}
	return s
}

// RouteVisit returns whom the visit's events are about (the opaque patient
// reference) and where they are routed (the PCN's ODS code).
func RouteVisit(s VisitState) (subject, area string) { return s.Patient, s.PCN }
