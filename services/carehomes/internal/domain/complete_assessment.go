package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// CompleteAssessmentCmd records that a resident's holistic assessment for
// this stay was completed. The API layer resolves AssessorRole from the
// directory.
type CompleteAssessmentCmd struct {
	AssessedBy   string    // "assessedBy": clinician id
	AssessorRole string    // "assessorRole": resolved
	CompletedAt  time.Time // "completedAt": zero means Now
	Now          time.Time
}

// CompleteAssessment records the holistic assessment, on time or late
// (judged against the stay's due date in the rules' calendar). It is done
// once per stay: recording it again by the same assessor (at the same time,
// or with no time given) records nothing; anything else is refused.
func CompleteAssessment(cmd CompleteAssessmentCmd, rules Rules) func(s ResidencyState, version int64) ([]events.Data, error) {
	return func(s ResidencyState, version int64) ([]events.Data, error) {
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		if err := checkDirectoryID("assessedBy", cmd.AssessedBy); err != nil {
			return nil, err
		}
		if err := checkRole("assessorRole", cmd.AssessorRole); err != nil {
			return nil, err
		}
		at, err := occurredAt("completedAt", cmd.CompletedAt, cmd.Now)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		if (s.Status == ResidencyStatusAssessed || s.Status == ResidencyStatusCarePlanned) &&
			s.AssessedBy == cmd.AssessedBy && (cmd.CompletedAt.IsZero() || s.AssessedAt.Equal(at)) {
			return nil, nil
		}
		if s.Status != ResidencyStatusAdmitted {
			return nil, refuseResidency(s, "assessed")
		}
		if at.Before(s.AdmittedAt) {
			return nil, domain.Invalid("completedAt", "is before the resident was admitted")
		}
		return one(carehomes.AssessmentCompleted{
			Patient: s.Patient, CareHomeID: s.CareHomeID, Stay: s.Stay,
			AssessedBy: cmd.AssessedBy, AssessorRole: cmd.AssessorRole,
			CompletedAt: at, DueOn: s.DueOn, OnTime: rules.onTime(at, s.DueOn),
		})
	}
}
