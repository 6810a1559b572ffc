package api

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

// authorize asks the policy whether the request's caller may do action
// for a home aligned to pcn: the decision, or a 403 naming the reason
// (401 if the request was not authenticated).
func (a *API) authorize(r *http.Request, action policy.Action, pcn string) (policy.Decision, error) {
	p, ok := auth.From(r.Context())
	if !ok {
		_, err := auth.ActorFrom(r)
		return policy.Decision{}, err
	}
	d := policy.Decide(p, action, policy.Home{PCN: pcn})
	if !d.Allowed {
		a.logger.Info("access denied", "request_id", httpkit.RequestID(r.Context()), "sub", p.Subject, "role", p.Role,
			"action", string(action), "reason", d.Reason)
	}
	return d, d.Err()
}

// guarded returns cmd with its decision guarded by the policy, asked on
// the state decided on (the area its first event recorded: the PCN the
// home is aligned to), in the transaction, and its basis the policy's. An
// aggregate that does not exist is left to the domain to refuse.
func guarded[S any](a *API, r *http.Request, action policy.Action, area func(S) string, cmd service.Command[S]) service.Command[S] {
	var basis access.Basis
	parse := cmd.Decide
	cmd.Decide = func(ctx context.Context, meta aggregate.Meta) (aggregate.Decide[S], error) {
		decide, err := parse(ctx, meta)
		if err != nil {
			return nil, err
		}
		return func(s S, version int64) ([]events.Data, error) {
			if version > 0 {
				d, err := a.authorize(r, action, area(s))
				if err != nil {
					return nil, err
				}
				basis = d.Basis
			}
			return decide(s, version)
		}, nil
	}
	cmd.Basis = func() access.Basis { return basis }
	return cmd
}

// roundChange runs a change to the round in the path, if the caller may
// do action to it.
func (a *API) roundChange(w http.ResponseWriter, r *http.Request, action policy.Action, cmd service.Command[domain.RoundState]) {
	a.rounds.Change(w, r, r.PathValue("round"), guarded(a, r, action, func(s domain.RoundState) string { return s.Area }, cmd))
}

// residencyChange runs a change to the residency in the path, if the
// caller may do action to it.
func (a *API) residencyChange(w http.ResponseWriter, r *http.Request, action policy.Action, cmd service.Command[domain.ResidencyState]) {
	a.residencies.Change(w, r, r.PathValue("residency"), guarded(a, r, action, func(s domain.ResidencyState) string { return s.Area }, cmd))
}

// denied puts the policy's refusal of a change to patient on the
// patient's trail and returns the refusal (or, if it could not be
// recorded, why not).
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
