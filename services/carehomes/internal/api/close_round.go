package api

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

// closeRound closes a held round; it takes no body: whether the round can
// close is decided by its outcomes.
func (a *API) closeRound(w http.ResponseWriter, r *http.Request) {
	a.roundChange(w, r, policy.CloseRound, service.Command[domain.RoundState]{
		Decide: func(context.Context, aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			return domain.CloseRound(domain.CloseRoundCmd{}), nil
		},
	})
}
