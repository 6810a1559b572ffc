package api

import (
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// assignVisitRequest gives a triaged visit to a clinician.
type assignVisitRequest struct {
	ClinicianID string `json:"clinicianId"`
}

// parseAssignVisit looks the clinician up: the domain checks their role may
// visit.
func parseAssignVisit(body assignVisitRequest, dir *directory.Directory, meta aggregate.Meta) (domain.AssignVisitCmd, error) {
	id, role, err := visitingClinician("clinicianId", body.ClinicianID, dir)
	return domain.AssignVisitCmd{ClinicianID: id, Role: role, Now: meta.Now}, err
}

func (a *API) assignVisit(w http.ResponseWriter, r *http.Request) {
	var body assignVisitRequest
	a.change(w, r, policy.Assign, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseAssignVisit(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.AssignVisit(a.rules, cmd), nil
	})
}
