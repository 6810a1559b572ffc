package api

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// cancelVisitRequest says the visit is no longer wanted.
type cancelVisitRequest struct {
	Reason      string `json:"reason"`
	Notes       string `json:"notes,omitempty"`
	DuplicateOf string `json:"duplicateOf,omitempty"`
}

func parseCancelVisit(body cancelVisitRequest, _ *directory.Directory, meta aggregate.Meta) (domain.CancelVisitCmd, error) {
	cmd := domain.CancelVisitCmd{Notes: body.Notes, DuplicateOf: body.DuplicateOf, Now: meta.Now}
	var err error
	if cmd.Reason, err = enum("reason", body.Reason, homevisits.ParseCancelReason); err != nil {
		return cmd, err
	}
	if body.DuplicateOf != "" {
		if cmd.Reason != homevisits.CancelDuplicate {
			return cmd, httpkit.Invalid("duplicateOf", `is only for the reason "duplicate"`)
		}
		if _, err := events.ParseID(body.DuplicateOf); err != nil {
			return cmd, httpkit.Invalid("duplicateOf", "is not a visit of this service")
		}
	}
	return cmd, nil
}

func (a *API) cancelVisit(w http.ResponseWriter, r *http.Request) {
	visit, err := a.existingVisit(r)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	id := visit.ID
	var body cancelVisitRequest
	var basis access.Basis
	a.cmds.Change(w, r, id, service.Command[domain.VisitState]{
		Body: &body,
		Decide: func(ctx context.Context, meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
			cmd, err := parseCancelVisit(body, a.directory, meta)
			if err != nil {
				return nil, err
			}
			// Asked before the duplicate is looked at: a refused caller
			// learns nothing of another visit.
			if _, err := a.authorize(r, policy.Cancel, visit.State.policyVisit()); err != nil {
				return nil, err
			}
			decide := domain.CancelVisit(cmd)
			if cmd.DuplicateOf != "" {
				if decide, err = a.duplicateOf(ctx, id, cmd); err != nil {
					return nil, err
				}
			}
			return a.authorized(r, policy.Cancel, visit.State, &basis, decide)
		},
		Basis: func() access.Basis { return basis },
	})
}

// duplicateOf cancels visit id as a duplicate of another visit, which must
// exist and be for the same patient.
func (a *API) duplicateOf(ctx context.Context, id string, cmd domain.CancelVisitCmd) (aggregate.Decide[domain.VisitState], error) {
	if cmd.DuplicateOf == id {
		return nil, httpkit.Invalid("duplicateOf", "is this visit")
	}
	other, err := a.repo.Load(ctx, cmd.DuplicateOf)
	if err != nil {
		return nil, err
	}
	if other.Version == 0 {
		return nil, httpkit.Invalid("duplicateOf", "is not a visit of this service")
	}
	cancel := domain.CancelVisit(cmd)
	return func(s domain.VisitState, version int64) ([]events.Data, error) {
		if version > 0 && s.Patient != other.State.Patient {
			return nil, httpkit.Invalid("duplicateOf", "is a visit for another patient")
		}
		return cancel(s, version)
	}, nil
}
