package api

import (
	"net/http"
	"time"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// planRequest plans the discharge, or revises its expected date.
type planRequest struct {
	Pathway      string `json:"pathway"`
	ExpectedDate string `json:"expectedDate"`
}

func parsePlan(body planRequest, now time.Time) (domain.PlanDischargeCmd, error) {
	pathway, err := parseEnum("pathway", body.Pathway, dischargeevents.ParsePathway)
	if err != nil {
		return domain.PlanDischargeCmd{}, err
	}
	if d, err := time.Parse(time.DateOnly, body.ExpectedDate); err != nil || d.Format(time.DateOnly) != body.ExpectedDate {
		return domain.PlanDischargeCmd{}, httpkit.Invalid("expectedDate", "must be a date like 2026-11-27")
	}
	return domain.PlanDischargeCmd{Pathway: pathway, ExpectedDate: body.ExpectedDate, Now: now}, nil
}

func (a *API) planDischarge(w http.ResponseWriter, r *http.Request) {
	var req planRequest
	a.change(w, r, policy.Plan, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parsePlan(req, meta.Now)
		if err != nil {
			return nil, err
		}
		return domain.PlanDischarge(cmd, a.rules), nil
	})
}
