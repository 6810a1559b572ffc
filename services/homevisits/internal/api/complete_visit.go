package api

import (
	"net/http"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// completeVisitRequest records how a visit ended.
type completeVisitRequest struct {
	ClinicianID string `json:"clinicianId,omitempty"`
	Outcome     string `json:"outcome"`
	Notes       string `json:"notes,omitempty"`
}

func parseCompleteVisit(body completeVisitRequest, dir *directory.Directory, meta aggregate.Meta) (domain.CompleteVisitCmd, error) {
	cmd := domain.CompleteVisitCmd{Notes: body.Notes, Now: meta.Now}
	var err error
	if cmd.ClinicianID, err = actingClinician("clinicianId", body.ClinicianID, meta.Actor, dir); err != nil {
		return cmd, err
	}
	cmd.Outcome, err = enum("outcome", body.Outcome, homevisits.ParseOutcome)
	return cmd, err
}

func (a *API) completeVisit(w http.ResponseWriter, r *http.Request) {
	var body completeVisitRequest
	a.change(w, r, policy.Complete, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseCompleteVisit(body, a.directory, meta)
		if err != nil {
			return nil, err
		}
		return domain.CompleteVisit(cmd), nil
	})
}
