package api

import (
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// markEnRouteRequest is the assigned clinician setting off.
type markEnRouteRequest struct {
	ClinicianID string `json:"clinicianId,omitempty"`
}

func parseMarkEnRoute(body markEnRouteRequest, dir *directory.Directory, meta aggregate.Meta) (domain.MarkEnRouteCmd, error) {
	id, err := actingClinician("clinicianId", body.ClinicianID, meta.Actor, dir)
	return domain.MarkEnRouteCmd{ClinicianID: id, Now: meta.Now}, err
}

func (a *API) markEnRoute(w http.ResponseWriter, r *http.Request) {
	var body markEnRouteRequest
	a.change(w, r, policy.EnRoute, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseMarkEnRoute(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.MarkEnRoute(cmd), nil
	})
}
