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

type completeActionRequest struct {
	Note        string `json:"note"`
	CompletedAt string `json:"completedAt"` // optional: now
}

func parseCompleteAction(body completeActionRequest, actionID string, now time.Time) (domain.CompleteActionCmd, error) {
	at, err := parseTime("completedAt", body.CompletedAt, false)
	if err != nil {
		return domain.CompleteActionCmd{}, err
	}
	return domain.CompleteActionCmd{ActionID: actionID, Note: body.Note, CompletedAt: at, Now: now}, nil
}

func (a *API) completeAction(w http.ResponseWriter, r *http.Request) {
	var req completeActionRequest
	a.roundChange(w, r, policy.CompleteAction, service.Command[domain.RoundState]{
		Body: &req,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			cmd, err := parseCompleteAction(req, r.PathValue("action"), meta.Now)
			if err != nil {
				return nil, err
			}
			return domain.CompleteAction(cmd, a.rules), nil
		},
	})
}
