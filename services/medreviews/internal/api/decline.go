package api

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

type declineRequest struct {
	Reason     string `json:"reason"`
	DeclinedAt string `json:"declinedAt,omitempty"`
}

func parseDecline(body declineRequest, now time.Time) (domain.DeclineCmd, error) {
	at, err := parseTime("declinedAt", body.DeclinedAt, false)
	if err != nil {
		return domain.DeclineCmd{}, err
	}
	return domain.DeclineCmd{Reason: body.Reason, DeclinedAt: at, Now: now}, nil
}

func (a *API) decline(w http.ResponseWriter, r *http.Request) {
	var req declineRequest
	a.change(w, r, policy.Decline, &req, nil, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseDecline(req, now)
		if err != nil {
			return nil, err
		}
		return domain.Decline(cmd), nil
	})
}
