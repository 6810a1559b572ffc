package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type completeAssessmentRequest struct {
	AssessedBy  string `json:"assessedBy"`
	CompletedAt string `json:"completedAt"` // optional: now
}

// parseCompleteAssessment resolves the assessor's role.
func parseCompleteAssessment(body completeAssessmentRequest, dir *directory.Directory, now time.Time) (domain.CompleteAssessmentCmd, error) {
	role, err := clinician(dir, "assessedBy", body.AssessedBy)
	if err != nil {
		return domain.CompleteAssessmentCmd{}, err
	}
	at, err := parseTime("completedAt", body.CompletedAt, false)
	if err != nil {
		return domain.CompleteAssessmentCmd{}, err
	}
	return domain.CompleteAssessmentCmd{AssessedBy: body.AssessedBy, AssessorRole: role, CompletedAt: at, Now: now}, nil
}

func (a *API) completeAssessment(w http.ResponseWriter, r *http.Request) {
	var req completeAssessmentRequest
	a.residencyChange(w, r, policy.Assess, service.Command[domain.ResidencyState]{
		Body: &req,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.ResidencyState], error) {
			cmd, err := parseCompleteAssessment(req, a.directory, meta.Now)
			if err != nil {
				return nil, err
			}
			return domain.CompleteAssessment(cmd, a.rules), nil
		},
		Also: a.recordResident,
	})
}
