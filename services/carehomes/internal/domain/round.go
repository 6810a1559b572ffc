package domain

import (
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
)

// roundAggregate names the round in refusals: "the round is held; ...".
const roundAggregate = "round"

// RoundStatus is where a round is in its life.
type RoundStatus string

// Round statuses. A round that does not exist yet has status "".
const (
	// RoundStatusScheduled: planned; residents can be nominated and withdrawn.
	RoundStatusScheduled RoundStatus = "scheduled"
	// RoundStatusHeld: took place; outcomes and actions are being recorded.
	RoundStatusHeld RoundStatus = "held"
	// RoundStatusClosed: every nominated resident has an outcome; open actions
	// can still be completed.
	RoundStatusClosed RoundStatus = "closed"
	// RoundStatusCancelled: will not take place. Final.
	RoundStatusCancelled RoundStatus = "cancelled"
)

// Outcome is what became of a nominated resident on a held round.
type Outcome string

// Outcomes. A nomination without an outcome yet has Outcome "".
const (
	OutcomeReviewed    Outcome = "reviewed"
	OutcomeNotReviewed Outcome = "not-reviewed"
)

// RoundState is a round as its events made it; the API renders it as is.
type RoundState struct {
	ID               string      `json:"id"`
	Status           RoundStatus `json:"status"`
	CareHomeID       string      `json:"careHomeId"`
	Area             string      `json:"area"`
	Week             string      `json:"week"`
	PlannedStart     time.Time   `json:"plannedStart"`
	ClinicalLead     string      `json:"clinicalLead"`
	ClinicalLeadRole string      `json:"clinicalLeadRole"`
	// Nominations in the order residents were first nominated, withdrawn
	// ones included (Withdrawn set).
	Nominations []Nomination         `json:"nominations"`
	Attendees   []carehomes.Attendee `json:"attendees,omitempty"`
	StartedAt   time.Time            `json:"startedAt,omitzero"`
	EndedAt     time.Time            `json:"endedAt,omitzero"`
	// Actions in the order they were raised.
	Actions      []Action `json:"actions"`
	CancelReason string   `json:"cancelReason,omitempty"`
}

// Nomination is one resident on a round's list and, once the round is held,
// what became of them.
type Nomination struct {
	Patient          string              `json:"patient"`
	NominatedBy      carehomes.Nominator `json:"nominatedBy"`
	Reason           string              `json:"reason"`
	Priority         carehomes.Priority  `json:"priority"`
	Withdrawn        bool                `json:"withdrawn"`
	WithdrawalReason string              `json:"withdrawalReason,omitempty"`

	Outcome Outcome `json:"outcome,omitempty"`
	// When reviewed.
	ReviewedBy     string `json:"reviewedBy,omitempty"`
	ReviewerRole   string `json:"reviewerRole,omitempty"`
	OutcomeSummary string `json:"outcomeSummary,omitempty"`
	FollowUp       string `json:"followUp,omitempty"`
	// When not reviewed.
	NotReviewedReason carehomes.NotReviewedReason `json:"notReviewedReason,omitempty"`
	NotReviewedNote   string                      `json:"notReviewedNote,omitempty"`
}

// Action is something the round gave someone to do for a resident.
type Action struct {
	ID               string         `json:"id"`
	Patient          string         `json:"patient"`
	Description      string         `json:"description"`
	OwnerClinicianID string         `json:"ownerClinicianId,omitempty"`
	OwnerRole        string         `json:"ownerRole,omitempty"`
	OwnerTeamID      string         `json:"ownerTeamId,omitempty"`
	DueOn            carehomes.Date `json:"dueOn"`
	Completed        bool           `json:"completed"`
	CompletedAt      time.Time      `json:"completedAt,omitzero"`
	CompletionNote   string         `json:"completionNote,omitempty"`
	OnTime           bool           `json:"onTime,omitempty"`
}

// Nomination returns the nomination of patient, withdrawn or not.
func (s RoundState) Nomination(patient string) (Nomination, bool) {
	i := s.nominationIndex(patient)
	if i < 0 {
		return Nomination{}, false
	}
	return s.Nominations[i], true
}

// Action returns the action with id.
func (s RoundState) Action(id string) (Action, bool) {
	i := s.actionIndex(id)
	if i < 0 {
		return Action{}, false
	}
	return s.Actions[i], true
}

// AwaitingOutcome returns the residents still nominated who have no outcome
// yet: what stands between a held round and its closing.
func (s RoundState) AwaitingOutcome() []string {
	var out []string
	for _, n := range s.Nominations {
		if !n.Withdrawn && n.Outcome == "" {
			out = append(out, n.Patient)
		}
	}
	return out
}

// Nominated returns the residents on the list, withdrawals excluded.
func (s RoundState) Nominated() []string {
	var out []string
	for _, n := range s.Nominations {
		if !n.Withdrawn {
			out = append(out, n.Patient)
		}
	}
	return out
}

// Attended reports whether clinician attended the round, and in which role.
func (s RoundState) Attended(clinician string) (role string, ok bool) {
	for _, a := range s.Attendees {
		if a.ClinicianID == clinician {
			return a.Role, true
		}
	}
	return "", false
}

func (s RoundState) ref() carehomes.RoundRef {
	return carehomes.RoundRef{RoundID: s.ID, CareHomeID: s.CareHomeID, Week: s.Week}
}

func (s RoundState) nominationIndex(patient string) int {
	return slices.IndexFunc(s.Nominations, func(n Nomination) bool { return n.Patient == patient })
}

func (s RoundState) actionIndex(id string) int {
	return slices.IndexFunc(s.Actions, func(a Action) bool { return a.ID == id })
}

// RouteRound routes a round's events: subject "" because a round is about
// many patients (its events are ordered by stream, and each per-resident
// event names its patient in the data), area the PCN of the care home.
func RouteRound(s RoundState) (subject, area string) { return "", s.Area }

// EvolveRound applies one event. It never fails and never mutates s's
// slices in place: the caller may still hold the state it was given.
// Events of other aggregates leave the state unchanged.
func EvolveRound(s RoundState, e events.Data) RoundState {
	switch e := e.(type) {
	case carehomes.RoundScheduled:
		return RoundState{
			ID: e.RoundID, Status: RoundStatusScheduled, CareHomeID: e.CareHomeID, Area: e.Area,
			Week: e.Week, PlannedStart: e.PlannedStart, ClinicalLead: e.ClinicalLead,
			ClinicalLeadRole: e.ClinicalLeadRole,
		}
	case carehomes.ResidentNominated:
		n := Nomination{Patient: e.Patient, NominatedBy: e.NominatedBy, Reason: e.Reason, Priority: e.Priority}
		s.Nominations = slices.Clone(s.Nominations)
		if i := s.nominationIndex(e.Patient); i >= 0 {
			s.Nominations[i] = n
		} else {
			s.Nominations = append(s.Nominations, n)
		}
	case carehomes.NominationWithdrawn:
		s.Nominations = updateNomination(s, e.Patient, func(n *Nomination) {
			n.Withdrawn, n.WithdrawalReason = true, e.Reason
		})
	case carehomes.RoundHeld:
		s.Status = RoundStatusHeld
		s.Attendees = slices.Clone(e.Attendees)
		s.StartedAt, s.EndedAt = e.StartedAt, e.EndedAt
	case carehomes.ResidentReviewed:
		s.Nominations = updateNomination(s, e.Patient, func(n *Nomination) {
			n.Outcome, n.ReviewedBy, n.ReviewerRole = OutcomeReviewed, e.ReviewedBy, e.ReviewerRole
			n.OutcomeSummary, n.FollowUp = e.Outcome, e.FollowUp
		})
	case carehomes.ResidentNotReviewed:
		s.Nominations = updateNomination(s, e.Patient, func(n *Nomination) {
			n.Outcome, n.NotReviewedReason, n.NotReviewedNote = OutcomeNotReviewed, e.Reason, e.Note
		})
	case carehomes.ActionRaised:
		s.Actions = append(slices.Clone(s.Actions), Action{
			ID: e.ActionID, Patient: e.Patient, Description: e.Description,
			OwnerClinicianID: e.OwnerClinicianID, OwnerRole: e.OwnerRole, OwnerTeamID: e.OwnerTeamID,
			DueOn: e.DueOn,
		})
	case carehomes.ActionCompleted:
		if i := s.actionIndex(e.ActionID); i >= 0 {
			s.Actions = slices.Clone(s.Actions)
			a := &s.Actions[i]
			a.Completed, a.CompletedAt, a.CompletionNote, a.OnTime = true, e.CompletedAt, e.Note, e.OnTime
		}
	case carehomes.RoundClosed:
		s.Status = RoundStatusClosed
	case carehomes.RoundCancelled:
		s.Status, s.CancelReason = RoundStatusCancelled, e.Reason
	}
	return s
}

// updateNomination returns a copy of s's nominations with patient's changed
// by f; unchanged if patient was never nominated.
func updateNomination(s RoundState, patient string, f func(*Nomination)) []Nomination {
	i := s.nominationIndex(patient)
	if i < 0 {
		return s.Nominations
	}
	ns := slices.Clone(s.Nominations)
	f(&ns[i])
	return ns
}
