package api

import (
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// declineVisitRequest is the assigned clinician handing the visit back.
type declineVisitRequest struct {
	ClinicianID string `json:"clinicianId,omitempty"`
	Reason      string `json:"reason"`
}

func parseDeclineVisit(body declineVisitRequest, dir *directory.Directory, meta aggregate.Meta) (domain.DeclineVisitCmd, error) {
	id, err := actingClinician("clinicianId", body.ClinicianID, meta.Actor, dir)
	return domain.DeclineVisitCmd{ClinicianID: id, Reason: body.Reason, Now: meta.Now}, err
}

func (a *API) declineVisit(w http.ResponseWriter, r *http.Request) {
	var body declineVisitRequest
	a.change(w, r, policy.Decline, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseDeclineVisit(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.DeclineVisit(cmd), nil
	})
}
