package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// AgreeCarePlanCmd records that a resident's Personalised Care and Support
// Plan was agreed. The API layer resolves AgreedByRole from the directory.
type AgreeCarePlanCmd struct {
	AgreedBy     string    // "agreedBy": clinician id
	AgreedByRole string    // "agreedByRole": resolved
	AgreedWith   string    // "agreedWith": resident, family or representative
	AgreedAt     time.Time // "agreedAt": zero means Now
	Now          time.Time
}

// AgreeCarePlan records the PCSP, on time or late. The plan is built on the
// holistic assessment, so it is refused before the assessment; it is agreed
// once per stay: the same agreement again (same clinician and party, same
// time or none given) records nothing.
func AgreeCarePlan(cmd AgreeCarePlanCmd, rules Rules) func(s ResidencyState, version int64) ([]events.Data, error) {
	return func(s ResidencyState, version int64) ([]events.Data, error) {
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		if err := checkDirectoryID("agreedBy", cmd.AgreedBy); err != nil {
			return nil, err
		}
		if err := checkRole("agreedByRole", cmd.AgreedByRole); err != nil {
			return nil, err
		}
		with, err := carehomes.ParseAgreedWith(cmd.AgreedWith)
		if err != nil {
			return nil, domain.Invalid("agreedWith", err.Error())
		}
		at, err := occurredAt("agreedAt", cmd.AgreedAt, cmd.Now)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		if s.Status == ResidencyStatusCarePlanned && s.CarePlanAgreedBy == cmd.AgreedBy && s.CarePlanAgreedWith == with &&
			(cmd.AgreedAt.IsZero() || s.CarePlanAgreedAt.Equal(at)) {
			return nil, nil
		}
		switch s.Status {
		case ResidencyStatusAssessed:
		case ResidencyStatusAdmitted:
			return nil, refuseResidency(s, "care-planned before the holistic assessment")
		default:
			return nil, refuseResidency(s, "care-planned")
		}
		if at.Before(s.AssessedAt) {
			return nil, domain.Invalid("agreedAt", "is before the holistic assessment was completed")
		}
		return one(carehomes.CarePlanAgreed{
			Patient: s.Patient, CareHomeID: s.CareHomeID, Stay: s.Stay,
			AgreedBy: cmd.AgreedBy, AgreedByRole: cmd.AgreedByRole, AgreedWith: with,
			AgreedAt: at, DueOn: s.DueOn, OnTime: rules.onTime(at, s.DueOn),
		})
	}
}
