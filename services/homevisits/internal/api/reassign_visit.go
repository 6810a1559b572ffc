package api

import (
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// reassignVisitRequest moves a visit to another clinician before anyone has
// set off.
type reassignVisitRequest struct {
	ClinicianID string `json:"clinicianId"`
	Reason      string `json:"reason,omitempty"`
}

func parseReassignVisit(body reassignVisitRequest, dir *directory.Directory, meta aggregate.Meta) (domain.ReassignVisitCmd, error) {
	id, role, err := visitingClinician("clinicianId", body.ClinicianID, dir)
	return domain.ReassignVisitCmd{ClinicianID: id, Role: role, Reason: body.Reason, Now: meta.Now}, err
}

func (a *API) reassignVisit(w http.ResponseWriter, r *http.Request) {
	var body reassignVisitRequest
	a.change(w, r, policy.Reassign, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseReassignVisit(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.ReassignVisit(a.rules, cmd), nil
	})
}
