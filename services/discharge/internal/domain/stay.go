package domain

import (
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
)

// AggregateName names the stay aggregate: its streams are "stay-<id>" and
// its refusals read "the stay is ...".
const AggregateName = "stay"

// Status is where a stay is in its lifecycle.
type Status string

// Stay statuses. The zero Status means the stay does not exist.
const (
	StatusAdmitted         Status = "admitted"
	StatusDischargePlanned Status = "discharge-planned"
	StatusDischarged       Status = "discharged"
	StatusClosed           Status = "closed"
)

// StayState is one hospital stay as its events tell it; the API renders it
// for GET by id.
type StayState struct {
	ID              string                    `json:"id"`
	Status          Status                    `json:"status"`
	Patient         string                    `json:"patient"` // opaque reference, never an NHS number
	HospitalSite    string                    `json:"hospitalSite"`
	Ward            string                    `json:"ward"`
	AdmittedAt      time.Time                 `json:"admittedAt"`
	AdmissionMethod discharge.AdmissionMethod `json:"admissionMethod"`
	Practice        string                    `json:"practice"`
	// Area is the PCN's ODS code: the routing area of the stay's events.
	Area string `json:"area"`
	// Plan is the discharge plan; nil until one is made. It outlives a
	// cancelled discharge.
	Plan *Plan `json:"plan"`
	// Discharge is the standing discharge; nil before discharge and after
	// a cancellation.
	Discharge *Discharge `json:"discharge"`
	// RetractedDischarges are the cancelled discharges, oldest first, each
	// with what hung on it. They are history and must be shown as
	// retracted.
	RetractedDischarges []Discharge `json:"retractedDischarges"`
}

// Pathway returns the stay's current pathway: the standing discharge's,
// else the plan's, else "".
func (s StayState) Pathway() discharge.Pathway {
	switch {
	case s.Discharge != nil:
		return s.Discharge.Pathway
	case s.Plan != nil:
		return s.Plan.Pathway
	}
	return ""
}

// Plan is a stay's discharge plan.
type Plan struct {
	Pathway discharge.Pathway `json:"pathway"`
	// ExpectedDate is a calendar date (YYYY-MM-DD) in local time.
	ExpectedDate string    `json:"expectedDate"`
	PlannedAt    time.Time `json:"plannedAt"`
	// PathwayChanges are the moves between pathways since the plan was made.
	PathwayChanges []PathwayChange `json:"pathwayChanges"`
}

// PathwayChange is one move between pathways.
type PathwayChange struct {
	From      discharge.Pathway             `json:"from"`
	To        discharge.Pathway             `json:"to"`
	Reason    discharge.PathwayChangeReason `json:"reason"`
	ChangedAt time.Time                     `json:"changedAt"`
}

// Discharge is one discharge and everything that follows from it.
type Discharge struct {
	DischargedAt time.Time                 `json:"dischargedAt"`
	Method       discharge.DischargeMethod `json:"method"`
	Destination  discharge.Destination     `json:"destination"`
	CareHomeID   string                    `json:"careHomeId,omitempty"`
	Pathway      discharge.Pathway         `json:"pathway"`
	Needs        []discharge.FollowUpNeed  `json:"needs"`
	SummaryDueBy time.Time                 `json:"summaryDueBy"`
	// FollowUpDueBy is zero when the discharge required no follow-up.
	FollowUpDueBy time.Time          `json:"followUpDueBy,omitzero"`
	Summary       *Summary           `json:"summary"`
	Medicines     *MedicinesReferral `json:"medicines"`
	FollowUp      *FollowUp          `json:"followUp"`
	Readmission   *Readmission       `json:"readmission"`
	// Closure is set when the stay closed on this discharge.
	Closure *Closure `json:"closure"`
	// Cancellation is set on a retracted discharge.
	Cancellation *Cancellation `json:"cancellation"`
}

// FollowUpRequired reports whether the discharge owes a community
// follow-up: its pathway or needs set a deadline, or a team was assigned.
func (d *Discharge) FollowUpRequired() bool { return !d.FollowUpDueBy.IsZero() || d.FollowUp != nil }

// Summary is the receipt of the discharge summary.
type Summary struct {
	ReceivedAt time.Time `json:"receivedAt"`
	Late       bool      `json:"late"`
}

// MedicinesReferral is the Discharge Medicines Service referral.
type MedicinesReferral struct {
	Pharmacy         string    `json:"pharmacy"`
	ReferredAt       time.Time `json:"referredAt"`
	FirstCheckDueBy  time.Time `json:"firstCheckDueBy"`
	PreviousPharmacy string    `json:"previousPharmacy,omitempty"`
}

// FollowUpStatus is where a community follow-up is.
type FollowUpStatus string

// Follow-up statuses.
const (
	FollowUpAssigned  FollowUpStatus = "assigned"
	FollowUpCompleted FollowUpStatus = "completed"
	FollowUpMissed    FollowUpStatus = "missed"
)

// FollowUp is the community follow-up of a discharge.
type FollowUp struct {
	Status         FollowUpStatus `json:"status"`
	TeamID         string         `json:"teamId"`
	AssignedAt     time.Time      `json:"assignedAt"`
	DueBy          time.Time      `json:"dueBy"`
	PreviousTeamID string         `json:"previousTeamId,omitempty"`
	// Set when completed.
	ClinicianID   string                    `json:"clinicianId,omitempty"`
	ClinicianRole string                    `json:"clinicianRole,omitempty"`
	Outcome       discharge.FollowUpOutcome `json:"outcome,omitempty"`
	CompletedAt   time.Time                 `json:"completedAt,omitzero"`
	Late          bool                      `json:"late"`
	// Set when missed.
	MissedReason discharge.MissedReason `json:"missedReason,omitempty"`
	MissedAt     time.Time              `json:"missedAt,omitzero"`
}

// Readmission is an emergency readmission within the window.
type Readmission struct {
	NewStayID          string    `json:"newStayId"`
	ReadmittedAt       time.Time `json:"readmittedAt"`
	DaysSinceDischarge int       `json:"daysSinceDischarge"`
}

// Closure is how the stay closed.
type Closure struct {
	ClosedAt time.Time                 `json:"closedAt"`
	FollowUp discharge.FollowUpClosure `json:"followUp"`
}

// Cancellation is why and when a discharge was retracted.
type Cancellation struct {
	Reason      discharge.CancelReason `json:"reason"`
	CancelledAt time.Time              `json:"cancelledAt"`
}

// EvolveStay applies one event. It never fails: an event that does not fit
// the state (or that it does not know) leaves the state as it is. It never
// mutates what s points to, so a caller's earlier state stays intact.
func EvolveStay(s StayState, e events.Data) StayState {
	switch e := e.(type) {
	case discharge.PatientAdmitted:
		s.ID, s.Status, s.Patient = e.StayID, StatusAdmitted, e.Patient
		s.HospitalSite, s.Ward, s.AdmittedAt, s.AdmissionMethod = e.HospitalSite, e.Ward, e.AdmittedAt, e.Method
		s.Practice, s.Area = e.Practice, e.PCN
	case discharge.DischargePlanned:
		p := Plan{Pathway: e.Pathway, ExpectedDate: e.ExpectedDate, PlannedAt: e.PlannedAt}
		if s.Plan != nil {
			p.PathwayChanges = s.Plan.PathwayChanges
		}
		s.Plan = &p
		if s.Status == StatusAdmitted {
			s.Status = StatusDischargePlanned
		}
	case discharge.PathwayChanged:
		if s.Plan != nil {
			p := *s.Plan
			p.Pathway = e.To
			p.PathwayChanges = append(slices.Clip(p.PathwayChanges),
				PathwayChange{From: e.From, To: e.To, Reason: e.Reason, ChangedAt: e.ChangedAt})
			s.Plan = &p
		}
	case discharge.PatientDischarged:
		s.Discharge = &Discharge{
			DischargedAt: e.DischargedAt, Method: e.Method, Destination: e.Destination, CareHomeID: e.CareHomeID,
			Pathway: e.Pathway, Needs: slices.Clone(e.Needs), SummaryDueBy: e.SummaryDueBy, FollowUpDueBy: e.FollowUpDueBy,
		}
		s.Status = StatusDischarged
	case discharge.DischargeCancelled:
		if s.Discharge != nil {
			d := *s.Discharge
			d.Cancellation = &Cancellation{Reason: e.Reason, CancelledAt: e.CancelledAt}
			s.RetractedDischarges = append(slices.Clip(s.RetractedDischarges), d)
			s.Discharge = nil
			s.Status = StatusAdmitted
			if s.Plan != nil {
				s.Status = StatusDischargePlanned
			}
		}
	case discharge.DischargeSummaryReceived:
		s = s.withDischarge(func(d *Discharge) {
			d.Summary = &Summary{ReceivedAt: e.ReceivedAt, Late: e.Late}
		})
	case discharge.MedicinesServiceReferred:
		s = s.withDischarge(func(d *Discharge) {
			d.Medicines = &MedicinesReferral{Pharmacy: e.Pharmacy, ReferredAt: e.ReferredAt,
				FirstCheckDueBy: e.FirstCheckDueBy, PreviousPharmacy: e.PreviousPharmacy}
		})
	case discharge.FollowUpAssigned:
		s = s.withDischarge(func(d *Discharge) {
			d.FollowUp = &FollowUp{Status: FollowUpAssigned, TeamID: e.TeamID, AssignedAt: e.AssignedAt,
				DueBy: e.DueBy, PreviousTeamID: e.PreviousTeamID}
		})
	case discharge.FollowUpCompleted:
		s = s.withFollowUp(func(f *FollowUp) {
			f.Status, f.ClinicianID, f.ClinicianRole = FollowUpCompleted, e.ClinicianID, e.ClinicianRole
			f.Outcome, f.CompletedAt, f.Late = e.Outcome, e.CompletedAt, e.Late
		})
	case discharge.FollowUpMissed:
		s = s.withFollowUp(func(f *FollowUp) {
			f.Status, f.MissedReason, f.MissedAt = FollowUpMissed, e.Reason, e.RecordedAt
		})
	case discharge.ReadmissionDetected:
		s = s.withDischarge(func(d *Discharge) {
			d.Readmission = &Readmission{NewStayID: e.NewStayID, ReadmittedAt: e.ReadmittedAt,
				DaysSinceDischarge: e.DaysSinceDischarge}
		})
	case discharge.StayClosed:
		if s.Status == StatusDischarged {
			s = s.withDischarge(func(d *Discharge) {
				d.Closure = &Closure{ClosedAt: e.ClosedAt, FollowUp: e.FollowUp}
			})
			s.Status = StatusClosed
		}
	}
	return s
}

// RouteStay returns whom the stay's events are about and where they are
// routed: the patient reference and the PCN's ODS code.
func RouteStay(s StayState) (subject, area string) { return s.Patient, s.Area }

// withDischarge applies f to a copy of the standing discharge.
func (s StayState) withDischarge(f func(*Discharge)) StayState {
	if s.Discharge == nil {
		return s
	}
	d := *s.Discharge
	f(&d)
	s.Discharge = &d
	return s
}

// withFollowUp applies f to a copy of the standing discharge's follow-up.
func (s StayState) withFollowUp(f func(*FollowUp)) StayState {
	return s.withDischarge(func(d *Discharge) {
		if d.FollowUp == nil {
			return
		}
		fu := *d.FollowUp
		f(&fu)
		d.FollowUp = &fu
	})
}
