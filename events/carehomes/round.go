package carehomes

import "time"

// RoundRef names the round an event belongs to. Every round event embeds it
// (its fields appear at the top level of the event's JSON), so a consumer can
// write "reviewed on Willow Court's round of 2026-W48" from one event.
type RoundRef struct {
	RoundID    string `json:"roundId"`
	CareHomeID string `json:"careHomeId"` // directory id of the care home
	Week       string `json:"week"`       // ISO week, e.g. "2026-W48"
}

// Attendee is a clinician who attended a round, with the role they hold in
// the directory.
type Attendee struct {
	ClinicianID string `json:"clinicianId"`
	Role        string `json:"role"`
}

// RoundScheduled: a weekly multidisciplinary round was planned for a care
// home. It opens the round's stream.
type RoundScheduled struct {
	RoundRef
	Area             string    `json:"area"` // ODS code of the PCN the home is aligned to
	PlannedStart     time.Time `json:"plannedStart"`
	ClinicalLead     string    `json:"clinicalLead"` // clinician id
	ClinicalLeadRole string    `json:"clinicalLeadRole"`
}

// EventType implements events.Data.
func (RoundScheduled) EventType() string { return "careweave.carehomes.round_scheduled.v1" }

// ResidentNominated: a resident was put on the round's list by the home or
// by the multidisciplinary team. A resident nominated again after a
// withdrawal is on the list again with these details.
type ResidentNominated struct {
	RoundRef
	Patient     string    `json:"patient"` // opaque patient reference
	NominatedBy Nominator `json:"nominatedBy"`
	Reason      string    `json:"reason"`
	Priority    Priority  `json:"priority"`
}

// EventType implements events.Data.
func (ResidentNominated) EventType() string { return "careweave.carehomes.resident_nominated.v1" }

// NominationWithdrawn: a resident was taken off the list before the round
// was held.
type NominationWithdrawn struct {
	RoundRef
	Patient string `json:"patient"`
	Reason  string `json:"reason"`
}

// EventType implements events.Data.
func (NominationWithdrawn) EventType() string { return "careweave.carehomes.nomination_withdrawn.v1" }

// RoundHeld: the round took place, with these clinicians, between these
// times. Outcomes and actions follow.
type RoundHeld struct {
	RoundRef
	Attendees []Attendee `json:"attendees"`
	StartedAt time.Time  `json:"startedAt"`
	EndedAt   time.Time  `json:"endedAt"`
}

// EventType implements events.Data.
func (RoundHeld) EventType() string { return "careweave.carehomes.round_held.v1" }

// ResidentReviewed: a nominated resident was reviewed on the round by an
// attending clinician.
type ResidentReviewed struct {
	RoundRef
	Patient      string `json:"patient"`
	ReviewedBy   string `json:"reviewedBy"` // clinician id, one of the round's attendees
	ReviewerRole string `json:"reviewerRole"`
	Outcome      string `json:"outcome"` // summary of the review
	FollowUp     string `json:"followUp,omitempty"`
}

// EventType implements events.Data.
func (ResidentReviewed) EventType() string { return "careweave.carehomes.resident_reviewed.v1" }

// ResidentNotReviewed: a nominated resident was not reviewed on the round,
// and why. Note is required when Reason is "other".
type ResidentNotReviewed struct {
	RoundRef
	Patient string            `json:"patient"`
	Reason  NotReviewedReason `json:"reason"`
	Note    string            `json:"note,omitempty"`
}

// EventType implements events.Data.
func (ResidentNotReviewed) EventType() string { return "careweave.carehomes.resident_not_reviewed.v1" }

// ActionRaised: the round gave someone something to do for a resident by a
// date. The owner is either a clinician (with their role) or a team, never
// both.
type ActionRaised struct {
	RoundRef
	ActionID         string `json:"actionId"`
	Patient          string `json:"patient"`
	Description      string `json:"description"`
	OwnerClinicianID string `json:"ownerClinicianId,omitempty"`
	OwnerRole        string `json:"ownerRole,omitempty"`
	OwnerTeamID      string `json:"ownerTeamId,omitempty"`
	DueOn            Date   `json:"dueOn"`
}

// EventType implements events.Data.
func (ActionRaised) EventType() string { return "careweave.carehomes.action_raised.v1" }

// ActionCompleted: an action raised on the round was done, possibly after
// the round was closed. OnTime says whether CompletedAt fell on or before
// the action's due date (in the home's calendar).
type ActionCompleted struct {
	RoundRef
	ActionID    string    `json:"actionId"`
	Patient     string    `json:"patient"`
	Note        string    `json:"note"`
	CompletedAt time.Time `json:"completedAt"`
	DueOn       Date      `json:"dueOn"`
	OnTime      bool      `json:"onTime"`
}

// EventType implements events.Data.
func (ActionCompleted) EventType() string { return "careweave.carehomes.action_completed.v1" }

// RoundClosed: every nominated resident has an outcome and the round's
// record is complete. The counts are what the round achieved; actions still
// open stay open and can be completed later.
type RoundClosed struct {
	RoundRef
	Reviewed    int `json:"reviewed"`
	NotReviewed int `json:"notReviewed"`
	Withdrawn   int `json:"withdrawn"`
	OpenActions int `json:"openActions"`
}

// EventType implements events.Data.
func (RoundClosed) EventType() string { return "careweave.carehomes.round_closed.v1" }

// RoundCancelled: the round will not take place. Residents still nominated
// are listed so their timelines can say so.
type RoundCancelled struct {
	RoundRef
	Reason    string   `json:"reason"`
	Nominated []string `json:"nominated"` // patient references still on the list
}

// EventType implements events.Data.
func (RoundCancelled) EventType() string { return "careweave.carehomes.round_cancelled.v1" }
