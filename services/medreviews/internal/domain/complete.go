package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// CompleteCmd records that the structured medication review took place.
type CompleteCmd struct {
	Mode medreviews.Mode
	// ClinicianID is who held the review; ClinicianRole the role the API
	// layer found for it in the directory ("" when unknown): a clinical
	// pharmacist or a GP.
	ClinicianID   string
	ClinicianRole medreviews.ClinicianRole
	// CompletedAt is when the review took place; zero means Now.
	CompletedAt time.Time
	Summary     string
	Now         time.Time
}

// Complete completes the review, coded with SNOMED CT 1239511000000100, and
// sets its follow-up date (rules.FollowUpDays). A review may be completed
// when booked, or opportunistically when identified or invited. Completing
// it again with the same mode, clinician and summary records nothing. A
// declined, did-not-attend (rebook first) or closed review cannot be
// completed, nor can a completed one differently.
func Complete(rules Rules, cmd CompleteCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if err := missing(version); err != nil {
			return nil, err
		}
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		if !cmd.Mode.Valid() {
			return nil, domain.Invalid("mode", "must be face-to-face, telephone, video, home-visit or care-home")
		}
		if cmd.Mode == medreviews.ModeCareHome && s.CareHome == "" {
			return nil, domain.Invalid("mode", "is care-home but no care home was recorded for the patient")
		}
		if err := checkClinician("clinicianId", cmd.ClinicianID, cmd.ClinicianRole); err != nil {
			return nil, err
		}
		at, err := pastTime("completedAt", cmd.CompletedAt, cmd.Now, s.IdentifiedAt)
		if err != nil {
			return nil, err
		}
		summary, err := requiredText("summary", cmd.Summary, maxSummary, true)
		if err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusIdentified, StatusInvited, StatusBooked:
		case StatusCompleted:
			if c := s.Completion; c != nil && c.Mode == cmd.Mode && c.ClinicianID == cmd.ClinicianID &&
				c.Summary == summary && (cmd.CompletedAt.IsZero() || c.CompletedAt.Equal(at)) {
				return nil, nil
			}
			return nil, domain.Refuse(AggregateName, string(s.Status), "completed")
		default:
			return nil, domain.Refuse(AggregateName, string(s.Status), "completed")
		}
		return []events.Data{medreviews.ReviewCompleted{
			Mode:          cmd.Mode,
			ClinicianID:   cmd.ClinicianID,
			ClinicianRole: cmd.ClinicianRole,
			CareHome:      careHomeOf(s, cmd.Mode),
			CompletedAt:   at,
			Summary:       summary,
			SnomedCode:    medreviews.SnomedStructuredMedicationReview,
			FollowUpBy:    days(at, rules.FollowUpDays),
		}}, nil
	}
}
