package api

import (
	"net/http"
	"time"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// cancelDischargeRequest retracts the standing discharge (HL7 ADT A13).
type cancelDischargeRequest struct {
	Reason string `json:"reason"`
}

func parseCancelDischarge(body cancelDischargeRequest, now time.Time) (domain.CancelDischargeCmd, error) {
	reason, err := parseEnum("reason", body.Reason, dischargeevents.ParseCancelReason)
	if err != nil {
		return domain.CancelDischargeCmd{}, err
	}
	return domain.CancelDischargeCmd{Reason: reason, Now: now}, nil
}

func (a *API) cancelDischarge(w http.ResponseWriter, r *http.Request) {
	var req cancelDischargeRequest
	a.change(w, r, policy.CancelDischarge, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parseCancelDischarge(req, meta.Now)
		if err != nil {
			return nil, err
		}
		return domain.CancelDischarge(cmd), nil
	})
}
