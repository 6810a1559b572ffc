package api

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// summaryRequest records the discharge summary reaching the GP practice.
type summaryRequest struct {
	ReceivedAt string `json:"receivedAt"`
}

func parseSummary(body summaryRequest, now time.Time) (domain.ReceiveSummaryCmd, error) {
	at, err := parseTime("receivedAt", body.ReceivedAt)
	if err != nil {
		return domain.ReceiveSummaryCmd{}, err
	}
	return domain.ReceiveSummaryCmd{ReceivedAt: at, Now: now}, nil
}

func (a *API) receiveSummary(w http.ResponseWriter, r *http.Request) {
	var req summaryRequest
	a.change(w, r, policy.ReceiveSummary, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parseSummary(req, meta.Now)
		if err != nil {
			return nil, err
		}
		return domain.ReceiveSummary(cmd), nil
	})
}
