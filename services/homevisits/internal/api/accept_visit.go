package api

import (
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// acceptVisitRequest is the assigned clinician taking the visit on;
// clinicianId only when a coordinator records it for them.
type acceptVisitRequest struct {
	ClinicianID string `json:"clinicianId,omitempty"`
}

func parseAcceptVisit(body acceptVisitRequest, dir *directory.Directory, meta aggregate.Meta) (domain.AcceptVisitCmd, error) {
	id, err := actingClinician("clinicianId", body.ClinicianID, meta.Actor, dir)
	return domain.AcceptVisitCmd{ClinicianID: id, Now: meta.Now}, err
}

func (a *API) acceptVisit(w http.ResponseWriter, r *http.Request) {
	var body acceptVisitRequest
	a.change(w, r, policy.Accept, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseAcceptVisit(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.AcceptVisit(cmd), nil
	})
}
