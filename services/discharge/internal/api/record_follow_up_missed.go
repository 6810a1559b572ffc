package api

import (
	"net/http"
	"time"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// followUpMissedRequest records that the community follow-up did not
// happen.
type followUpMissedRequest struct {
	Reason string `json:"reason"`
}

func parseFollowUpMissed(body followUpMissedRequest, now time.Time) (domain.RecordFollowUpMissedCmd, error) {
	reason, err := parseEnum("reason", body.Reason, dischargeevents.ParseMissedReason)
	if err != nil {
		return domain.RecordFollowUpMissedCmd{}, err
	}
	return domain.RecordFollowUpMissedCmd{Reason: reason, Now: now}, nil
}

func (a *API) recordFollowUpMissed(w http.ResponseWriter, r *http.Request) {
	var req followUpMissedRequest
	a.change(w, r, policy.FollowUpMissed, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parseFollowUpMissed(req, meta.Now)
		if err != nil {
			return nil, err
		}
		return domain.RecordFollowUpMissed(cmd), nil
	})
}
