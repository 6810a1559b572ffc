package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type dischargeResidentRequest struct {
	Destination  string `json:"destination"`
	Note         string `json:"note"`
	DischargedAt string `json:"dischargedAt"` // optional: now
}

func parseDischargeResident(body dischargeResidentRequest, now time.Time) (domain.DischargeResidentCmd, error) {
	at, err := parseTime("dischargedAt", body.DischargedAt, false)
	if err != nil {
		return domain.DischargeResidentCmd{}, err
	}
	return domain.DischargeResidentCmd{Destination: body.Destination, Note: body.Note, DischargedAt: at, Now: now}, nil
}

func (a *API) dischargeResident(w http.ResponseWriter, r *http.Request) {
	var req dischargeResidentRequest
	a.residencyChange(w, r, policy.Discharge, service.Command[domain.ResidencyState]{
		Body: &req,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.ResidencyState], error) {
			cmd, err := parseDischargeResident(req, meta.Now)
			if err != nil {
				return nil, err
			}
			return domain.DischargeResident(cmd), nil
		},
		Also: a.recordResident,
	})
}

type recordDeathRequest struct {
	DiedAt string `json:"diedAt"` // optional: now
}

func parseRecordDeath(body recordDeathRequest, now time.Time) (domain.RecordDeathCmd, error) {
	at, err := parseTime("diedAt", body.DiedAt, false)
	if err != nil {
		return domain.RecordDeathCmd{}, err
	}
	return domain.RecordDeathCmd{DiedAt: at, Now: now}, nil
}

func (a *API) recordDeath(w http.ResponseWriter, r *http.Request) {
	var req recordDeathRequest
	a.residencyChange(w, r, policy.RecordDeath, service.Command[domain.ResidencyState]{
		Body: &req,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.ResidencyState], error) {
			cmd, err := parseRecordDeath(req, meta.Now)
			if err != nil {
				return nil, err
			}
			return domain.RecordDeath(cmd), nil
		},
		Also: a.recordResident,
	})
}
