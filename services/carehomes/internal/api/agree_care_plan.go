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

type agreeCarePlanRequest struct {
	AgreedBy   string `json:"agreedBy"`
	AgreedWith string `json:"agreedWith"`
	AgreedAt   string `json:"agreedAt"` // optional: now
}

// parseAgreeCarePlan resolves the agreeing clinician's role.
func parseAgreeCarePlan(body agreeCarePlanRequest, dir *directory.Directory, now time.Time) (domain.AgreeCarePlanCmd, error) {
	role, err := clinician(dir, "agreedBy", body.AgreedBy)
	if err != nil {
		return domain.AgreeCarePlanCmd{}, err
	}
	at, err := parseTime("agreedAt", body.AgreedAt, false)
	if err != nil {
		return domain.AgreeCarePlanCmd{}, err
	}
	return domain.AgreeCarePlanCmd{AgreedBy: body.AgreedBy, AgreedByRole: role, AgreedWith: body.AgreedWith, AgreedAt: at, Now: now}, nil
}

func (a *API) agreeCarePlan(w http.ResponseWriter, r *http.Request) {
	var req agreeCarePlanRequest
	a.residencyChange(w, r, policy.AgreeCarePlan, service.Command[domain.ResidencyState]{
		Body: &req,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.ResidencyState], error) {
			cmd, err := parseAgreeCarePlan(req, a.directory, meta.Now)
			if err != nil {
				return nil, err
			}
			return domain.AgreeCarePlan(cmd, a.rules), nil
		},
		Also: a.recordResident,
	})
}
