package api

import (
	"net/http"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// escalateVisitRequest hands the visit on to the GP, 999 or the Urgent
// Community Response.
type escalateVisitRequest struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
}

func parseEscalateVisit(body escalateVisitRequest, _ *directory.Directory, meta aggregate.Meta) (domain.EscalateVisitCmd, error) {
	cmd := domain.EscalateVisitCmd{Reason: body.Reason, Now: meta.Now}
	var err error
	cmd.To, err = enum("to", body.To, homevisits.ParseEscalationTarget)
	return cmd, err
}

func (a *API) escalateVisit(w http.ResponseWriter, r *http.Request) {
	var body escalateVisitRequest
	a.change(w, r, policy.Escalate, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseEscalateVisit(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.EscalateVisit(cmd), nil
	})
}
