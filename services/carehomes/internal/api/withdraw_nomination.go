package api

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type withdrawNominationRequest struct {
	Reason string `json:"reason"`
}

func parseWithdrawNomination(body withdrawNominationRequest, patient string) (domain.WithdrawNominationCmd, error) {
	return domain.WithdrawNominationCmd{Patient: patient, Reason: body.Reason}, nil
}

func (a *API) withdrawNomination(w http.ResponseWriter, r *http.Request) {
	var req withdrawNominationRequest
	a.roundChange(w, r, policy.Withdraw, service.Command[domain.RoundState]{
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
