package api

import (
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// markOnSiteRequest is the assigned clinician arriving with the patient.
type markOnSiteRequest struct {
	ClinicianID string `json:"clinicianId,omitempty"`
}

func parseMarkOnSite(body markOnSiteRequest, dir *directory.Directory, meta aggregate.Meta) (domain.MarkOnSiteCmd, error) {
	id, err := actingClinician("clinicianId", body.ClinicianID, meta.Actor, dir)
	return domain.MarkOnSiteCmd{ClinicianID: id, Now: meta.Now}, err
}

func (a *API) markOnSite(w http.ResponseWriter, r *http.Request) {
	var body markOnSiteRequest
	a.change(w, r, policy.OnSite, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseMarkOnSite(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.MarkOnSite(cmd), nil
	})
}
