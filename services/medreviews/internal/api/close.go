package api

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

type closeRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"`
}

func parseClose(body closeRequest, now time.Time) (domain.CloseCmd, error) {
	reason, err := enum("reason", body.Reason, medreviews.ParseCloseReason, medreviews.CloseReasons())
	if err != nil {
		return domain.CloseCmd{}, err
	}
	return domain.CloseCmd{Reason: reason, Note: body.Note, Now: now}, nil
}

func (a *API) close(w http.ResponseWriter, r *http.Request) {
	var req closeRequest
	a.change(w, r, policy.Close, &req, nil, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseClose(req, now)
		if err != nil {
			return nil, err
		}
		return domain.Close(cmd), nil
	})
}
