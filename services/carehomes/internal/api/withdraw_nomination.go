package api

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

type withdrawNominationRequest struct {
	Reason string `json:"reason"`
}

func parseWithdrawNomination(body withdrawNominationRequest, patient string) (domain.WithdrawNominationCmd, error) {
	return domain.WithdrawNominationCmd{Patient: patient, Reason: body.Reason}, nil
}

func (a *API) withdrawNomination(w http.ResponseWriter, r *http.Request) {
	var req withdrawNominationRequest
	a.rounds.Change(w, r, r.PathValue("round"), service.Command[domain.RoundState]{
		Body: &req,
		Decide: func(context.Context, aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			cmd, err := parseWithdrawNomination(req, r.PathValue("patient"))
			if err != nil {
				return nil, err
			}
			return domain.WithdrawNomination(cmd), nil
		},
	})
}
