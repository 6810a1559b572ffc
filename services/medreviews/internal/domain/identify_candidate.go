package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// IdentifyCandidateCmd opens a review episode for a patient found in one or
// more SMR priority cohorts.
type IdentifyCandidateCmd struct {
	// Patient is the opaque patient reference (never an NHS number).
	Patient string
	// Practice is the ODS code of the patient's registered practice.
	Practice string
	// PCN is the practice's PCN ODS code, looked up by the API layer in the
	// directory ("" when the practice is unknown).
	PCN string
	// Criteria are the cohorts that make the patient a candidate.
	Criteria []medreviews.Cohort
	// CareHome is the directory id of the patient's care home; required for
	// the care-home-resident cohort, optional otherwise.
	CareHome string
	// CareHomePCN is the care home's PCN, looked up by the API layer ("" when
	// the care home is unknown). It must be the practice's PCN.
	CareHomePCN string
	// IdentifiedBy is the identifying clinician's directory id, and
	// IdentifiedByRole the role the API layer found for it ("" when unknown).
	IdentifiedBy     string
	IdentifiedByRole string
	Now              time.Time
}

// IdentifyCandidate opens the review. A review that exists already gives
// domain.ErrAlreadyExists.
func IdentifyCandidate(cmd IdentifyCandidateCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if version != 0 {
			return nil, domain.ErrAlreadyExists
		}
		if err := checkPatient("patient", cmd.Patient); err != nil {
			return nil, err
		}
		if err := checkODS("practice", cmd.Practice); err != nil {
			return nil, err
		}
		if !odsCode.MatchString(cmd.PCN) {
			return nil, domain.Invalid("practice", "is not a practice of a known PCN")
		}
		if len(cmd.Criteria) == 0 {
			return nil, domain.Invalid("criteria", "needs at least one cohort")
		}
		for i, c := range cmd.Criteria {
			field := fmt.Sprintf("criteria[%d]", i)
			if !c.Valid() {
				return nil, domain.Invalid(field, fmt.Sprintf("must be one of %v", medreviews.Cohorts()))
			}
			if slices.Contains(cmd.Criteria[:i], c) {
				return nil, domain.Invalid(field, "appears twice")
			}
		}
		if cmd.CareHome == "" && slices.Contains(cmd.Criteria, medreviews.CohortCareHomeResident) {
			return nil, domain.Invalid("careHome", "is required for the care-home-resident cohort")
		}
		if cmd.CareHome != "" {
			if err := checkDirectoryID("careHome", cmd.CareHome); err != nil {
				return nil, err
			}
			switch cmd.CareHomePCN {
			case "":
				return nil, domain.Invalid("careHome", "is not a care home in the directory")
			case cmd.PCN:
			default:
				return nil, domain.Invalid("careHome", "is aligned to another PCN than the patient's practice")
			}
		}
		if err := checkDirectoryID("identifiedBy", cmd.IdentifiedBy); err != nil {
			return nil, err
		}
		if !roleName.MatchString(cmd.IdentifiedByRole) {
			return nil, domain.Invalid("identifiedBy", "is not a clinician in the directory")
		}
		return []events.Data{medreviews.CandidateIdentified{
			Patient:          cmd.Patient,
			Practice:         cmd.Practice,
			PCN:              cmd.PCN,
			Criteria:         slices.Clone(cmd.Criteria),
			CareHome:         cmd.CareHome,
			IdentifiedBy:     cmd.IdentifiedBy,
			IdentifiedByRole: cmd.IdentifiedByRole,
			IdentifiedAt:     cmd.Now.UTC(),
		}}, nil
	}
}
