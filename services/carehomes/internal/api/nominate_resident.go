package api

import (
	"context"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type nominateResidentRequest struct {
	Patient     string `json:"patient"`   // opaque reference, or
	NHSNumber   string `json:"nhsNumber"` // an NHS number the registry resolves
	NominatedBy string `json:"nominatedBy"`
	Reason      string `json:"reason"`
	Priority    string `json:"priority"`
}

// parseNominateResident checks the request; the patient reference is filled
// in from the registry afterwards.
func parseNominateResident(body nominateResidentRequest) (domain.NominateResidentCmd, error) {
	if err := patientNamed(body.Patient, body.NHSNumber); err != nil {
		return domain.NominateResidentCmd{}, err
	}
	return domain.NominateResidentCmd{Patient: body.Patient, NominatedBy: body.NominatedBy, Reason: body.Reason, Priority: body.Priority}, nil
}

// nominateResident puts a resident on a scheduled round's list. The
// resident must live in the round's home now: checked in the residents
// table, in the transaction that records the nomination.
func (a *API) nominateResident(w http.ResponseWriter, r *http.Request) {
	var req nominateResidentRequest
	var cmd domain.NominateResidentCmd
	a.roundChange(w, r, policy.Nominate, service.Command[domain.RoundState]{
		Body: &req,
		Decide: func(ctx context.Context, _ aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			var err error
			if cmd, err = parseNominateResident(req); err != nil {
				return nil, err
			}
			reg, err := a.registry.Patient(ctx, req.Patient, req.NHSNumber)
			if err != nil {
				return nil, err
			}
			cmd.Patient = reg.Patient
			return domain.NominateResident(cmd), nil
		},
		Also: func(ctx context.Context, tx pgx.Tx, l aggregate.Loaded[domain.RoundState]) error {
			return a.residents.mustLiveIn(ctx, tx, l.State.CareHomeID, cmd.Patient)
		},
	})
}
