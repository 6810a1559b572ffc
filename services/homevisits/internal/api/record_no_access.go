package api

import (
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// recordNoAccessRequest says the clinician could not get to the patient.
type recordNoAccessRequest struct {
	ClinicianID string `json:"clinicianId,omitempty"`
	Reason      string `json:"reason"`
}

func parseRecordNoAccess(body recordNoAccessRequest, dir *directory.Directory, meta aggregate.Meta) (domain.RecordNoAccessCmd, error) {
	id, err := actingClinician("clinicianId", body.ClinicianID, meta.Actor, dir)
	return domain.RecordNoAccessCmd{ClinicianID: id, Reason: body.Reason, Now: meta.Now}, err
}

func (a *API) recordNoAccess(w http.ResponseWriter, r *http.Request) {
	var body recordNoAccessRequest
	a.change(w, r, policy.NoAccess, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseRecordNoAccess(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.RecordNoAccess(cmd), nil
	})
}
