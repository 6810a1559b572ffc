// Package api is the home-visits service's HTTP adapter: it validates each
// request at the edge into a domain command (pure parse functions, fuzzed),
// looks up what the domain needs in the directory and the patient
// registry, and runs the command on the visit through service.Commands.
//
// Who may. Every handler asks internal/policy — with the caller's token,
// the action (one per route) and the facts it gathered: the visit's PCN,
// whom it is assigned to and whom it was, folded from its events (see
// visitAccess), or for a request the registry's registration — before it
// reads or changes anything, and a change asks again on the state its
// decision is made on, in the transaction. A refusal is 403 problem+json
// naming the reason and changes nothing.
//
// What is recorded. Every change puts one access_recorded per event it
// records about the visit's patient on the patient's audit trail
// (access-<patient> in this service's event log), in the change's
// transaction, with the basis the policy gave on the state the change was
// decided on (relationship:pcn-patient or relationship:assigned-visit) and
// action change:<event type>. A GET of a visit is recorded (read-record,
// with its basis, previously-assigned included) before it is answered, and
// is answered 503 with nothing served if it cannot be. A refusal about a
// visit, or about a request whose patient the registry named, is recorded
// as denied (basis none, 403). The acceptance timer's timeouts are recorded
// too, as the system (see internal/timer).
//
// Who acts. Accept, decline, en route, on site, complete and no access are
// the assigned clinician's own acts. A caller whose role (the bearer
// token's role claim) is a visiting clinician's role — paramedic,
// advanced-clinical-practitioner, gp, district-nurse — acts as themselves:
// the clinician is the token's sub, and a clinicianId in the body must be
// that same id. A care coordinator records the act on the clinician's
// behalf and must name them in clinicianId, a clinician of the directory.
// Either way the envelope's actor is the caller, so the record shows who
// entered it. Triage follows the same rule for triagedBy.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
	"github.com/careweave/careweave/services/homevisits/internal/timer"
)

// Migrations are the service's own tables, after the event store's: only
// the idempotency keys (the visit needs no read model of its own yet).
func Migrations() []pgkit.Migrations {
	return []pgkit.Migrations{idempotency.Migrations()}
}

// Type is the visit aggregate.
var Type = aggregate.Type[domain.VisitState]{Name: domain.Aggregate, Registry: homevisits.Registry(),
	Evolve: domain.EvolveVisit, Route: domain.RouteVisit}

// API serves the home-visits commands.
type API struct {
	repo *aggregate.Repository[domain.VisitState]
	cmds *service.Commands[domain.VisitState]
	// reads serves GET of a visit loaded with what the policy needs.
	reads     *service.Commands[visitAccess]
	audit     *audit.Recorder
	directory *directory.Directory
	registry  *patientref.Client
	rules     domain.Rules
	london    *time.Location
	logger    *slog.Logger
	now       func() time.Time
	timers    *timer.Timers // kept in step with every change, in its transaction
	// access loads a visit with what the policy needs of it.
	access *aggregate.Repository[visitAccess]
}

// New builds the API on the runtime's connections.
func New(d service.Deps, dir *directory.Directory, registry *patientref.Client, rules domain.Rules) (*API, error) {
	if dir == nil || registry == nil {
		return nil, errors.New("home visits: a directory and a patient registry are required")
	}
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	london, err := homevisits.London()
	if err != nil {
		return nil, err
	}
	idem, err := idempotency.New(d.Pool, d.Schema)
	if err != nil {
		return nil, err
	}
	rec, err := audit.New(d.Store, "homevisits", d.Now)
	if err != nil {
		return nil, err
	}
	a := &API{
		audit:     rec,
		repo:      aggregate.NewRepository(Type, d.Store),
		access:    aggregate.NewRepository(accessType, d.Store),
		directory: dir,
		registry:  registry,
		rules:     rules,
		london:    london,
		logger:    d.Logger,
		now:       d.Now,
	}
	a.timers = timer.New(d.Pool, d.Schema, a.repo, rec, rules, d.Now, d.Logger)
	a.cmds = &service.Commands[domain.VisitState]{
		Repo: a.repo, Idem: idem, Logger: d.Logger, Now: d.Now,
		View:     func(l aggregate.Loaded[domain.VisitState]) any { return a.view(l) },
		Path:     visitPath,
		Audit:    rec,
		Patients: func(s domain.VisitState) []string { return []string{s.Patient} },
	}
	a.reads = &service.Commands[visitAccess]{
		Repo: a.access, Logger: d.Logger, Now: d.Now,
		View: func(l aggregate.Loaded[visitAccess]) any {
			return a.view(aggregate.Loaded[domain.VisitState]{ID: l.ID, State: l.State.state, Version: l.Version})
		},
		Path:       visitPath,
		Audit:      rec,
		Patients:   func(v visitAccess) []string { return []string{v.state.Patient} },
		BreakGlass: d.BreakGlass,
	}
	return a, nil
}

// Register puts the routes on r.
func (a *API) Register(r *httpkit.Router) {
	r.HandleFunc("POST /v1/visits", a.requestVisit)
	r.HandleFunc("GET /v1/visits/{visit}", a.getVisit)
	r.HandleFunc("POST /v1/visits/{visit}/triage", a.triageVisit)
	r.HandleFunc("POST /v1/visits/{visit}/assign", a.assignVisit)
	r.HandleFunc("POST /v1/visits/{visit}/reassign", a.reassignVisit)
	r.HandleFunc("POST /v1/visits/{visit}/accept", a.acceptVisit)
	r.HandleFunc("POST /v1/visits/{visit}/decline", a.declineVisit)
	r.HandleFunc("POST /v1/visits/{visit}/en-route", a.markEnRoute)
	r.HandleFunc("POST /v1/visits/{visit}/on-site", a.markOnSite)
	r.HandleFunc("POST /v1/visits/{visit}/complete", a.completeVisit)
	r.HandleFunc("POST /v1/visits/{visit}/no-access", a.recordNoAccess)
	r.HandleFunc("POST /v1/visits/{visit}/cancel", a.cancelVisit)
	r.HandleFunc("POST /v1/visits/{visit}/escalate", a.escalateVisit)
}

func visitPath(id string) string { return "/v1/visits/" + id }

// visitID returns the visit named in the path; anything that is not an id
// this service issues cannot be a visit.
func visitID(r *http.Request) (string, error) {
	id := r.PathValue("visit")
	if _, err := events.ParseID(id); err != nil {
		return "", httpkit.Errorf(httpkit.KindNotFound, "no such visit")
	}
	return id, nil
}

// existingVisit returns the visit a change names, with what the policy
// needs of it, or 404 if there is none. The check is needed because
// aggregate.Repository.Execute compares the If-Match version before the
// decision's existence guard runs, so a change to a visit that does not
// exist would otherwise be answered 412.
func (a *API) existingVisit(r *http.Request) (aggregate.Loaded[visitAccess], error) {
	id, err := visitID(r)
	if err != nil {
		return aggregate.Loaded[visitAccess]{}, err
	}
	l, err := a.access.Load(r.Context(), id)
	if err == nil && l.Version == 0 {
		err = httpkit.Errorf(httpkit.KindNotFound, "no such visit")
	}
	return l, err
}

// change runs a change command on the visit in the path, if the caller may
// do action to it: parse turns the decoded body into the decision.
func (a *API) change(w http.ResponseWriter, r *http.Request, action policy.Action, body any,
	parse func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error)) {
	visit, err := a.existingVisit(r)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	var basis access.Basis
	a.cmds.Change(w, r, visit.ID, service.Command[domain.VisitState]{
		Body: body,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
			decide, err := parse(meta)
			if err != nil {
				return nil, err
			}
			return a.authorized(r, action, visit.State, &basis, decide)
		},
		Also: func(ctx context.Context, tx pgx.Tx, l aggregate.Loaded[domain.VisitState]) error {
			return a.timers.Sync(ctx, tx, visit.ID, l.State)
		},
		Basis: func() access.Basis { return basis },
	})
}

// clinicianRole reports whether role is a visiting clinician's role, whose
// holder acts as themselves.
func clinicianRole(role string) bool { return homevisits.Role(role).Valid() }

// actingClinician returns the clinician an act is recorded for: see the
// package comment.
func actingClinician(field, bodyID string, actor events.Actor, dir *directory.Directory) (string, error) {
	if clinicianRole(actor.Role) {
		if bodyID != "" && bodyID != actor.ID {
			return "", httpkit.Invalid(field, "a clinician records only their own acts: leave it out or give your own id")
		}
		return actor.ID, nil
	}
	if bodyID == "" {
		return "", httpkit.Invalid(field, "is required when recording a clinician's act on their behalf")
	}
	if _, ok := dir.Clinician(bodyID); !ok {
		return "", httpkit.Invalid(field, "is not a clinician in the directory")
	}
	return bodyID, nil
}

// visitingClinician looks up a clinician a visit is given to.
func visitingClinician(field, id string, dir *directory.Directory) (string, homevisits.Role, error) {
	if id == "" {
		return "", "", httpkit.Invalid(field, "is required")
	}
	c, ok := dir.Clinician(id)
	if !ok {
		return "", "", httpkit.Invalid(field, "is not a clinician in the directory")
	}
	return c.ID, homevisits.Role(c.Role), nil
}

// enum parses an enumeration field, naming it in the error.
func enum[T ~string](field, s string, parse func(string) (T, error)) (T, error) {
	if s == "" {
		return "", httpkit.Invalid(field, "is required")
	}
	v, err := parse(s)
	if err != nil {
		return "", httpkit.Invalid(field, err.Error())
	}
	return v, nil
}

// instant parses an optional RFC 3339 time with its offset.
func instant(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, httpkit.Invalid(field, "must be a date and time with its offset (RFC 3339), such as 2026-03-29T14:00:00+01:00")
	}
	if t.Year() < 2000 || t.Year() > 2999 {
		return time.Time{}, httpkit.Invalid(field, "is out of range")
	}
	return t.UTC(), nil
}
