package domain

import (
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
)

// AggregateName is the review aggregate's name: streams are "review-<id>".
const AggregateName = "review"

// ReviewStatus is where a review episode is.
type ReviewStatus string

// Review statuses. Completed, declined and closed are final for the episode;
// a completed review still takes recommendations and prescriber decisions.
const (
	StatusIdentified   ReviewStatus = "identified"
	StatusInvited      ReviewStatus = "invited"
	StatusBooked       ReviewStatus = "booked"
	StatusCompleted    ReviewStatus = "completed"
	StatusDeclined     ReviewStatus = "declined"
	StatusDidNotAttend ReviewStatus = "did-not-attend"
	StatusClosed       ReviewStatus = "closed"
)

// Statuses returns every review status.
func Statuses() []ReviewStatus {
	return []ReviewStatus{StatusIdentified, StatusInvited, StatusBooked, StatusCompleted,
		StatusDeclined, StatusDidNotAttend, StatusClosed}
}

// RecommendationStatus is where one recommendation is. Only accepted means
// the change was enacted in the GP record.
type RecommendationStatus string

// Recommendation statuses.
const (
	RecommendationRecommended RecommendationStatus = "recommended"
	RecommendationAccepted    RecommendationStatus = "accepted"
	RecommendationRejected    RecommendationStatus = "rejected"
)

// ReviewState is a review episode as its events left it. The zero value
// (Status "") is a review that does not exist yet.
type ReviewState struct {
	Status ReviewStatus `json:"status"`

	Patient          string              `json:"patient"`
	Practice         string              `json:"practice"`
	PCN              string              `json:"pcn"`
	Criteria         []medreviews.Cohort `json:"criteria"`
	CareHome         string              `json:"careHome,omitempty"`
	IdentifiedBy     string              `json:"identifiedBy"`
	IdentifiedByRole string              `json:"identifiedByRole"`
	IdentifiedAt     time.Time           `json:"identifiedAt"`

	// Invitations counts invitations; LastInvitation is the latest.
	Invitations    int         `json:"invitations"`
	LastInvitation *Invitation `json:"lastInvitation,omitempty"`
	// Appointment is the current (or, when did-not-attend, the missed)
	// appointment; MissedAppointments counts appointments not attended.
	Appointment        *Appointment `json:"appointment,omitempty"`
	MissedAppointments int          `json:"missedAppointments"`

	Completion *Completion `json:"completion,omitempty"`
	Decline    *Refusal    `json:"decline,omitempty"`
	Closure    *Closure    `json:"closure,omitempty"`

	// Recommendations are in the order they were recorded.
	Recommendations []Recommendation `json:"recommendations,omitempty"`
}

// Invitation is one invitation to the review.
type Invitation struct {
	Channel   medreviews.Channel `json:"channel"`
	InvitedAt time.Time          `json:"invitedAt"`
	RespondBy time.Time          `json:"respondBy"`
}

// Appointment is a booked review appointment.
type Appointment struct {
	At            time.Time                `json:"at"`
	Mode          medreviews.Mode          `json:"mode"`
	ClinicianID   string                   `json:"clinicianId"`
	ClinicianRole medreviews.ClinicianRole `json:"clinicianRole"`
	BookedAt      time.Time                `json:"bookedAt"`
}

// Completion is how the review was held.
type Completion struct {
	Mode          medreviews.Mode          `json:"mode"`
	ClinicianID   string                   `json:"clinicianId"`
	ClinicianRole medreviews.ClinicianRole `json:"clinicianRole"`
	CompletedAt   time.Time                `json:"completedAt"`
	Summary       string                   `json:"summary"`
	SnomedCode    string                   `json:"snomedCode"`
	FollowUpBy    time.Time                `json:"followUpBy"`
}

// Refusal is the patient's declining of the review.
type Refusal struct {
	Reason      string    `json:"reason"`
	DeclinedAt  time.Time `json:"declinedAt"`
	CodeCluster string    `json:"codeCluster"`
}

// Closure is why the episode was withdrawn or closed.
type Closure struct {
	Reason   medreviews.CloseReason `json:"reason"`
	Note     string                 `json:"note,omitempty"`
	ClosedAt time.Time              `json:"closedAt"`
}

// Recommendation is one per-medicine recommendation and, once made, the
// prescriber's decision on it.
type Recommendation struct {
	ID                string                   `json:"id"`
	Medicine          medreviews.Medicine      `json:"medicine"`
	Action            medreviews.Action        `json:"action"`
	Reason            string                   `json:"reason"`
	Deprescribing     bool                     `json:"deprescribing"`
	SwitchTo          *medreviews.Medicine     `json:"switchTo,omitempty"`
	NewDose           string                   `json:"newDose,omitempty"`
	RecommendedBy     string                   `json:"recommendedBy"`
	RecommendedByRole medreviews.ClinicianRole `json:"recommendedByRole"`
	RecordedAt        time.Time                `json:"recordedAt"`
	DecisionDueBy     time.Time                `json:"decisionDueBy"`

	Status   RecommendationStatus `json:"status"`
	Decision *Decision            `json:"decision,omitempty"`
}

// Decision is a prescriber's decision on a recommendation. At is when it was
// enacted in the GP record (accepted) or rejected.
type Decision struct {
	PrescriberID   string                   `json:"prescriberId"`
	PrescriberRole medreviews.ClinicianRole `json:"prescriberRole"`
	At             time.Time                `json:"at"`
	// Reason is why it was rejected; Note an optional remark on acceptance.
	Reason string `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Enacted reports whether the recommendation was enacted in the GP record:
// only a prescriber's acceptance makes it so.
func (r Recommendation) Enacted() bool { return r.Status == RecommendationAccepted }

// Recommendation returns the recommendation with id.
func (s ReviewState) Recommendation(id string) (Recommendation, bool) {
	i := s.recommendationIndex(id)
	if i < 0 {
		return Recommendation{}, false
	}
	return s.Recommendations[i], true
}

// AwaitingDecision returns the recommendations no prescriber has decided on.
func (s ReviewState) AwaitingDecision() []Recommendation {
	var out []Recommendation
	for _, r := range s.Recommendations {
		if r.Status == RecommendationRecommended {
			out = append(out, r)
		}
	}
	return out
}

func (s ReviewState) recommendationIndex(id string) int {
	return slices.IndexFunc(s.Recommendations, func(r Recommendation) bool { return r.ID == id })
}

// RouteReview returns whom the review's events are about (the opaque patient
// reference) and where they are routed (the PCN's ODS code).
func RouteReview(s ReviewState) (subject, area string) { return s.Patient, s.PCN }

// EvolveReview applies one event to the state. It is pure and total: it
// never fails, and an event it does not know leaves the state unchanged. It
// never modifies what s refers to (slices and pointers are replaced, not
// written through), so earlier states stay valid.
func EvolveReview(s ReviewState, e events.Data) ReviewState {
	switch e := e.(type) {
	case medreviews.CandidateIdentified:
		s = ReviewState{
			Status:   StatusIdentified,
			Patient:  e.Patient,
			Practice: e.Practice,
			PCN:      e.PCN,
			Criteria: slices.Clone(e.Criteria),
			CareHome: e.CareHome, IdentifiedBy: e.IdentifiedBy, IdentifiedByRole: e.IdentifiedByRole,
			IdentifiedAt: e.IdentifiedAt,
		}
	case medreviews.ReviewInvited:
		s.Status = StatusInvited
		s.Invitations = e.Invitation
		s.LastInvitation = &Invitation{Channel: e.Channel, InvitedAt: e.InvitedAt, RespondBy: e.RespondBy}
	case medreviews.ReviewBooked:
		s.Status = StatusBooked
		s.Appointment = &Appointment{At: e.AppointmentAt, Mode: e.Mode, ClinicianID: e.ClinicianID,
			ClinicianRole: e.ClinicianRole, BookedAt: e.BookedAt}
	case medreviews.ReviewRebooked:
		s.Status = StatusBooked
		s.Appointment = &Appointment{At: e.AppointmentAt, Mode: e.Mode, ClinicianID: e.ClinicianID,
			ClinicianRole: e.ClinicianRole, BookedAt: e.RebookedAt}
	case medreviews.AppointmentNotAttended:
		s.Status = StatusDidNotAttend
		s.MissedAppointments = e.Count
	case medreviews.ReviewCompleted:
		s.Status = StatusCompleted
		s.Completion = &Completion{Mode: e.Mode, ClinicianID: e.ClinicianID, ClinicianRole: e.ClinicianRole,
			CompletedAt: e.CompletedAt, Summary: e.Summary, SnomedCode: e.SnomedCode, FollowUpBy: e.FollowUpBy}
	case medreviews.ReviewDeclined:
		s.Status = StatusDeclined
		s.Decline = &Refusal{Reason: e.Reason, DeclinedAt: e.DeclinedAt, CodeCluster: e.CodeCluster}
	case medreviews.ReviewClosed:
		s.Status = StatusClosed
		s.Closure = &Closure{Reason: e.Reason, Note: e.Note, ClosedAt: e.ClosedAt}
	case medreviews.RecommendationRecorded:
		r := Recommendation{
			ID: e.RecommendationID, Medicine: e.Medicine, Action: e.Action, Reason: e.Reason,
			Deprescribing: e.Deprescribing, NewDose: e.NewDose, RecommendedBy: e.RecommendedBy,
			RecommendedByRole: e.RecommendedByRole, RecordedAt: e.RecordedAt, DecisionDueBy: e.DecisionDueBy,
			Status: RecommendationRecommended,
		}
		if e.SwitchTo != nil {
			to := *e.SwitchTo
			r.SwitchTo = &to
		}
		s.Recommendations = append(slices.Clip(s.Recommendations), r)
	case medreviews.RecommendationAccepted:
		s = s.withDecision(e.RecommendationID, RecommendationAccepted, Decision{
			PrescriberID: e.PrescriberID, PrescriberRole: e.PrescriberRole, At: e.EnactedAt, Note: e.Note})
	case medreviews.RecommendationRejected:
		s = s.withDecision(e.RecommendationID, RecommendationRejected, Decision{
			PrescriberID: e.PrescriberID, PrescriberRole: e.PrescriberRole, At: e.RejectedAt, Reason: e.Reason})
	}
	return s
}

// withDecision returns s with recommendation id decided; an unknown id
// changes nothing.
func (s ReviewState) withDecision(id string, status RecommendationStatus, d Decision) ReviewState {
	i := s.recommendationIndex(id)
	if i < 0 {
		return s
	}
	s.Recommendations = slices.Clone(s.Recommendations)
	s.Recommendations[i].Status = status
	s.Recommendations[i].Decision = &d
	return s
}
