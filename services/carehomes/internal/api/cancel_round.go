package api

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type cancelRoundRequest struct {
	Reason string `json:"reason"`
}

func parseCancelRound(body cancelRoundRequest) (domain.CancelRoundCmd, error) {
	return domain.CancelRoundCmd{Reason: body.Reason}, nil
}

func (a *API) cancelRound(w http.ResponseWriter, r *http.Request) {
	var req cancelRoundRequest
	a.roundChange(w, r, policy.CancelRound, service.Command[domain.RoundState]{
		Body: &req,
		Decide: func(context.Context, aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			cmd, err := parseCancelRound(req)
			if err != nil {
				return nil, err
			}
			return domain.CancelRound(cmd), nil
		},
	})
}
