package api

import (
	"net/http"
	"time"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// changePathwayRequest moves a planned patient to another pathway.
type changePathwayRequest struct {
	Pathway string `json:"pathway"`
	Reason  string `json:"reason"`
}

func parseChangePathway(body changePathwayRequest, now time.Time) (domain.ChangePathwayCmd, error) {
	pathway, err := parseEnum("pathway", body.Pathway, dischargeevents.ParsePathway)
	if err != nil {
		return domain.ChangePathwayCmd{}, err
	}
	reason, err := parseEnum("reason", body.Reason, dischargeevents.ParsePathwayChangeReason)
	if err != nil {
		return domain.ChangePathwayCmd{}, err
	}
	return domain.ChangePathwayCmd{Pathway: pathway, Reason: reason, Now: now}, nil
}

func (a *API) changePathway(w http.ResponseWriter, r *http.Request) {
	var req changePathwayRequest
	a.change(w, r, policy.ChangePathway, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parseChangePathway(req, meta.Now)
		if err != nil {
			return nil, err
		}
		return domain.ChangePathway(cmd), nil
	})
}
