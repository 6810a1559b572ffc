package api

import (
	"net/http"
	"slices"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// visitAccess is a visit as the policy needs it: its state (the PCN its
// request recorded, whom it was last given to) and everyone it has been
// given to, which the state does not keep. It is folded from the visit's
// events in the same load as the state.
type visitAccess struct {
	state    domain.VisitState
	assigned []string
}

// accessType loads visitAccess from a visit's stream; it is only read.
var accessType = aggregate.Type[visitAccess]{Name: domain.Aggregate, Registry: homevisits.Registry(), Evolve: evolveAccess,
	Route: func(v visitAccess) (string, string) { return domain.RouteVisit(v.state) }}

// evolveAccess applies one event: the visit's own evolution, and whoever
// an assignment or reassignment gives it to.
func evolveAccess(v visitAccess, e events.Data) visitAccess {
	v.state = domain.EvolveVisit(v.state, e)
	var to string
	switch e := e.(type) {
	case homevisits.VisitAssigned:
		to = e.ClinicianID
	case homevisits.VisitReassigned:
		to = e.ClinicianID
	}
	if to != "" && !slices.Contains(v.assigned, to) {
		v.assigned = append(slices.Clip(v.assigned), to)
	}
	return v
}

// policyVisit is what the policy is told of the visit.
func (v visitAccess) policyVisit() policy.Visit {
	return policy.Visit{PCN: v.state.PCN, Clinician: v.state.ClinicianID, Assigned: v.assigned}
}

// authorize asks the policy whether the request's caller may do action to
// visit: the basis it allows it on, or a 403 naming the reason (401 if the
// request was not authenticated).
func (a *API) authorize(r *http.Request, action policy.Action, visit policy.Visit) (access.Basis, error) {
	p, ok := auth.From(r.Context())
	if !ok {
		_, err := auth.ActorFrom(r)
		return "", err
	}
	d := policy.Decide(p, action, visit)
	if !d.Allowed {
		a.logger.Info("access denied", "request_id", httpkit.RequestID(r.Context()), "sub", p.Subject, "role", p.Role,
			"action", string(action), "reason", d.Reason)
	}
	return access.Basis(d.Basis), d.Err()
}

// denied puts the policy's refusal of a change to patient's data on the
// patient's trail and returns the refusal (or, if it could not be
// recorded, why not): for a refusal Commands cannot file under a visit.
func (a *API) denied(r *http.Request, patient string, refusal error) error {
	rec, err := audit.Of(r, audit.Access{Patient: patient, Action: access.Action("change"), Basis: access.NoBasis,
		Outcome: access.Denied, Status: http.StatusForbidden})
	if err == nil {
		err = a.audit.Record(r.Context(), rec)
	}
	if err != nil {
		return err
	}
	return refusal
}

// authorized returns decide if the caller may do action to the visit as it
// was loaded, guarded by the same question on the state decide is given in
// the transaction: a reassignment in between cannot let a clinician act
// on a visit that is no longer theirs. The basis of that last answer is
// put in basis, for the change's audit records.
func (a *API) authorized(r *http.Request, action policy.Action, loaded visitAccess, basis *access.Basis, decide aggregate.Decide[domain.VisitState]) (aggregate.Decide[domain.VisitState], error) {
	if _, err := a.authorize(r, action, loaded.policyVisit()); err != nil {
		return nil, err
	}
	return func(s domain.VisitState, version int64) ([]events.Data, error) {
		now := visitAccess{state: s, assigned: loaded.assigned}
		if s.ClinicianID != "" && !slices.Contains(now.assigned, s.ClinicianID) {
			now.assigned = append(slices.Clip(now.assigned), s.ClinicianID)
		}
		b, err := a.authorize(r, action, now.policyVisit())
		if err != nil {
			return nil, err
		}
		*basis = b
		return decide(s, version)
	}, nil
}
