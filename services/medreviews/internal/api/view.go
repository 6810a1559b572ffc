package api

import (
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
)

// reviewView is a review as staff see it. Times are UTC; the ones staff act
// on also come as Europe/London wall-clock times (the "...Local" fields,
// with their offset, so BST is never guessed).
//
// Recommended and enacted stay distinct: every recommendation has its
// status, enacted is true only once a prescriber accepted it, and
// awaitingDecision counts those no prescriber has decided on.
type reviewView struct {
	Review           string              `json:"review"`
	Status           string              `json:"status"`
	Patient          string              `json:"patient"`
	Practice         string              `json:"practice"`
	PCN              string              `json:"pcn"`
	Criteria         []medreviews.Cohort `json:"criteria"`
	CareHome         string              `json:"careHome,omitempty"`
	IdentifiedBy     string              `json:"identifiedBy"`
	IdentifiedByRole string              `json:"identifiedByRole"`
	IdentifiedAt     time.Time           `json:"identifiedAt"`

	Invitations        int              `json:"invitations"`
	LastInvitation     *invitationView  `json:"lastInvitation,omitempty"`
	Appointment        *appointmentView `json:"appointment,omitempty"`
	MissedAppointments int              `json:"missedAppointments"`
	Completion         *completionView  `json:"completion,omitempty"`
	Decline            *domain.Refusal  `json:"decline,omitempty"`
	Closure            *domain.Closure  `json:"closure,omitempty"`

	Recommendations  []recommendationView `json:"recommendations"`
	AwaitingDecision int                  `json:"awaitingDecision"`
	Version          int64                `json:"version"`
}

type invitationView struct {
	Channel        medreviews.Channel `json:"channel"`
	InvitedAt      time.Time          `json:"invitedAt"`
	RespondBy      time.Time          `json:"respondBy"`
	RespondByLocal string             `json:"respondByLocal"`
}

type appointmentView struct {
	At            time.Time                `json:"at"`
	AtLocal       string                   `json:"atLocal"`
	Mode          medreviews.Mode          `json:"mode"`
	ClinicianID   string                   `json:"clinicianId"`
	ClinicianRole medreviews.ClinicianRole `json:"clinicianRole"`
	BookedAt      time.Time                `json:"bookedAt"`
}

type completionView struct {
	Mode             medreviews.Mode          `json:"mode"`
	ClinicianID      string                   `json:"clinicianId"`
	ClinicianRole    medreviews.ClinicianRole `json:"clinicianRole"`
	CompletedAt      time.Time                `json:"completedAt"`
	CompletedAtLocal string                   `json:"completedAtLocal"`
	Summary          string                   `json:"summary"`
	SnomedCode       string                   `json:"snomedCode"`
	FollowUpBy       time.Time                `json:"followUpBy"`
	FollowUpByLocal  string                   `json:"followUpByLocal"`
}

type recommendationView struct {
	ID                 string                   `json:"id"`
	Medicine           medreviews.Medicine      `json:"medicine"`
	Action             medreviews.Action        `json:"action"`
	Reason             string                   `json:"reason"`
	Deprescribing      bool                     `json:"deprescribing"`
	SwitchTo           *medreviews.Medicine     `json:"switchTo,omitempty"`
	NewDose            string                   `json:"newDose,omitempty"`
	RecommendedBy      string                   `json:"recommendedBy"`
	RecommendedByRole  medreviews.ClinicianRole `json:"recommendedByRole"`
	RecordedAt         time.Time                `json:"recordedAt"`
	DecisionDueBy      time.Time                `json:"decisionDueBy"`
	DecisionDueByLocal string                   `json:"decisionDueByLocal"`
	// Status is recommended (awaiting the prescriber), accepted or rejected.
	Status string `json:"status"`
	// Enacted is true only when a prescriber accepted the recommendation:
	// only then did the GP record change.
	Enacted  bool          `json:"enacted"`
	Decision *decisionView `json:"decision,omitempty"`
}

type decisionView struct {
	Outcome        string                   `json:"outcome"`
	PrescriberID   string                   `json:"prescriberId"`
	PrescriberRole medreviews.ClinicianRole `json:"prescriberRole"`
	// At is when it was enacted (accepted) or rejected.
	At      time.Time `json:"at"`
	AtLocal string    `json:"atLocal"`
	Reason  string    `json:"reason,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// localLayout is RFC 3339 with the offset always numeric (+00:00 in GMT,
// +01:00 in BST), never "Z": it is a wall-clock time in London.
const localLayout = "2006-01-02T15:04:05-07:00"

func (a *API) local(t time.Time) string { return t.In(a.london).Format(localLayout) }

func (a *API) view(l aggregate.Loaded[domain.ReviewState]) reviewView {
	s := l.State
	v := reviewView{
		Review: l.ID, Status: string(s.Status), Patient: s.Patient, Practice: s.Practice, PCN: s.PCN,
		Criteria: s.Criteria, CareHome: s.CareHome, IdentifiedBy: s.IdentifiedBy, IdentifiedByRole: s.IdentifiedByRole,
		IdentifiedAt: s.IdentifiedAt.UTC(), Invitations: s.Invitations, MissedAppointments: s.MissedAppointments,
		Recommendations: []recommendationView{}, AwaitingDecision: len(s.AwaitingDecision()), Version: l.Version,
	}
	if v.Criteria == nil {
		v.Criteria = []medreviews.Cohort{}
	}
	if i := s.LastInvitation; i != nil {
		v.LastInvitation = &invitationView{Channel: i.Channel, InvitedAt: i.InvitedAt.UTC(), RespondBy: i.RespondBy.UTC(), RespondByLocal: a.local(i.RespondBy)}
	}
	if ap := s.Appointment; ap != nil {
		v.Appointment = &appointmentView{At: ap.At.UTC(), AtLocal: a.local(ap.At), Mode: ap.Mode, ClinicianID: ap.ClinicianID,
			ClinicianRole: ap.ClinicianRole, BookedAt: ap.BookedAt.UTC()}
	}
	if c := s.Completion; c != nil {
		v.Completion = &completionView{Mode: c.Mode, ClinicianID: c.ClinicianID, ClinicianRole: c.ClinicianRole,
			CompletedAt: c.CompletedAt.UTC(), CompletedAtLocal: a.local(c.CompletedAt), Summary: c.Summary, SnomedCode: c.SnomedCode,
			FollowUpBy: c.FollowUpBy.UTC(), FollowUpByLocal: a.local(c.FollowUpBy)}
	}
	if d := s.Decline; d != nil {
		v.Decline = &domain.Refusal{Reason: d.Reason, DeclinedAt: d.DeclinedAt.UTC(), CodeCluster: d.CodeCluster}
	}
	if c := s.Closure; c != nil {
		v.Closure = &domain.Closure{Reason: c.Reason, Note: c.Note, ClosedAt: c.ClosedAt.UTC()}
	}
	for _, r := range s.Recommendations {
		rv := recommendationView{
			ID: r.ID, Medicine: r.Medicine, Action: r.Action, Reason: r.Reason, Deprescribing: r.Deprescribing,
			SwitchTo: r.SwitchTo, NewDose: r.NewDose, RecommendedBy: r.RecommendedBy, RecommendedByRole: r.RecommendedByRole,
			RecordedAt: r.RecordedAt.UTC(), DecisionDueBy: r.DecisionDueBy.UTC(), DecisionDueByLocal: a.local(r.DecisionDueBy),
			Status: string(r.Status), Enacted: r.Enacted(),
		}
		if d := r.Decision; d != nil && r.Status != domain.RecommendationRecommended {
			rv.Decision = &decisionView{Outcome: string(r.Status), PrescriberID: d.PrescriberID, PrescriberRole: d.PrescriberRole,
				At: d.At.UTC(), AtLocal: a.local(d.At), Reason: d.Reason, Note: d.Note}
		}
		v.Recommendations = append(v.Recommendations, rv)
	}
	return v
}
