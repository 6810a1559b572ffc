// Package api is the discharge service's HTTP adapter: it validates
// requests at the edge, resolves what the stay's commands need from the
// patient registry and the directory, runs the commands, and keeps the
// patient's stays (stays_by_patient) in the same transaction as the events.
package api

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/directory"
	kitdomain "github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the service's own tables, after the event store's.
func Migrations() []pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return []pgkit.Migrations{idempotency.Migrations(), {Name: "discharge", FS: sub}}
}

// Type is the stay aggregate.
var Type = aggregate.Type[domain.StayState]{
	Name: domain.AggregateName, Registry: dischargeevents.Registry(), Evolve: domain.EvolveStay, Route: domain.RouteStay,
}

// Config is what the API needs besides the runtime's connections.
type Config struct {
	Directory *directory.Directory
	Registry  *patientref.Client
	// Rules must have passed Rules.Validate.
	Rules domain.Rules
}

// API serves the stay commands.
type API struct {
	repo       *aggregate.Repository[domain.StayState]
	stays      *stayIndex
	idem       *idempotency.Store
	audit      *audit.Recorder
	breakGlass breakglass.Checker
	dir        *directory.Directory
	registry   *patientref.Client
	rules      domain.Rules
	logger     *slog.Logger
	now        func() time.Time
}

// New builds the API on the runtime's connections.
func New(d service.Deps, cfg Config) (*API, error) {
	if cfg.Directory == nil || cfg.Registry == nil {
		return nil, errors.New("discharge api: a directory and a registry client are required")
	}
	if err := cfg.Rules.Validate(); err != nil {
		return nil, err
	}
	idem, err := idempotency.New(d.Pool, d.Schema)
	if err != nil {
		return nil, err
	}
	rec, err := audit.New(d.Store, "discharge", d.Now)
	if err != nil {
		return nil, err
	}
	return &API{
		audit:      rec,
		breakGlass: d.BreakGlass,
		repo:       aggregate.NewRepository(Type, d.Store),
		stays:      newStayIndex(d.Schema),
		idem:       idem,
		dir:        cfg.Directory,
		registry:   cfg.Registry,
		rules:      cfg.Rules,
		logger:     d.Logger,
		now:        d.Now,
	}, nil
}

// Register puts the routes on r.
func (a *API) Register(r *httpkit.Router) {
	r.HandleFunc("POST /v1/stays", a.admit)
	r.HandleFunc("GET /v1/stays/{stay}", a.get)
	r.HandleFunc("PUT /v1/stays/{stay}/plan", a.planDischarge)
	r.HandleFunc("POST /v1/stays/{stay}/pathway-change", a.changePathway)
	r.HandleFunc("POST /v1/stays/{stay}/discharge", a.dischargePatient)
	r.HandleFunc("POST /v1/stays/{stay}/discharge-cancellation", a.cancelDischarge)
	r.HandleFunc("POST /v1/stays/{stay}/summary", a.receiveSummary)
	r.HandleFunc("POST /v1/stays/{stay}/medicines-referral", a.referMedicines)
	r.HandleFunc("PUT /v1/stays/{stay}/follow-up", a.assignFollowUp)
	r.HandleFunc("POST /v1/stays/{stay}/follow-up/completion", a.completeFollowUp)
	r.HandleFunc("POST /v1/stays/{stay}/follow-up/missed", a.recordFollowUpMissed)
}

// commands is the stay's command endpoint.
func (a *API) commands() *service.Commands[domain.StayState] {
	return &service.Commands[domain.StayState]{
		Repo: a.repo, Idem: a.idem, Logger: a.logger, Now: a.now,
		View:       func(l aggregate.Loaded[domain.StayState]) any { return newStayView(l, a.rules.Location) },
		Path:       stayPath,
		Audit:      a.audit,
		Patients:   func(s domain.StayState) []string { return []string{s.Patient} },
		BreakGlass: a.breakGlass,
	}
}

func stayPath(id string) string { return "/v1/stays/" + id }

// get serves a stay to a caller the policy lets read it; the read is
// recorded on the patient's trail before it is answered.
func (a *API) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("stay")
	if !validStayID(id) {
		httpkit.WriteError(w, r, a.logger, kitdomain.ErrNotFound)
		return
	}
	a.commands().Read(w, r, id, func(l aggregate.Loaded[domain.StayState]) (access.Basis, error) {
		d, err := a.authorize(r, policy.Read, facts(l.State))
		return d.Basis, err
	})
}

// change runs a change request on stay {stay}, if the caller may do
// action to it: build turns the decoded body into the decision, and the
// policy is asked on the state the decision is made on, in the
// transaction. A stay that does not exist is a 404 whatever If-Match
// says, and the stay's row in stays_by_patient follows its status in the
// same transaction.
func (a *API) change(w http.ResponseWriter, r *http.Request, action policy.Action, body any,
	build func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error)) {
	id := r.PathValue("stay")
	var basis access.Basis
	a.commands().Change(w, r, id, service.Command[domain.StayState]{
		Body: body,
		Decide: func(ctx context.Context, meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
			if err := a.mustExist(ctx, id); err != nil {
				return nil, err
			}
			decide, err := build(meta)
			if err != nil {
				return nil, err
			}
			return func(s domain.StayState, version int64) ([]events.Data, error) {
				d, err := a.authorize(r, action, facts(s))
				if err != nil {
					return nil, err
				}
				basis = d.Basis
				return decide(s, version)
			}, nil
		},
		Also: func(ctx context.Context, tx pgx.Tx, l aggregate.Loaded[domain.StayState]) error {
			return a.stays.setStatus(ctx, tx, l.ID, l.State.Status)
		},
		Basis: func() access.Basis { return basis },
	})
}

// facts is what the policy knows of a stay, from its events.
func facts(s domain.StayState) policy.Stay {
	f := policy.Stay{Trust: policy.TrustOf(s.HospitalSite), PCN: s.Area}
	if d := s.Discharge; d != nil && d.FollowUp != nil {
		f.FollowUpTeam = d.FollowUp.TeamID
	}
	for _, d := range s.RetractedDischarges {
		if d.FollowUp != nil {
			f.RetractedTeams = append(f.RetractedTeams, d.FollowUp.TeamID)
		}
	}
	return f
}

// authorize asks the policy whether the request's caller may do action to
// stay: the decision, or a 403 naming the reason (401 if the request was
// not authenticated).
func (a *API) authorize(r *http.Request, action policy.Action, stay policy.Stay) (policy.Decision, error) {
	p, ok := auth.From(r.Context())
	if !ok {
		_, err := auth.ActorFrom(r)
		return policy.Decision{}, err
	}
	d := policy.Decide(p, action, stay)
	if !d.Allowed {
		a.logger.Info("access denied", "request_id", httpkit.RequestID(r.Context()), "sub", p.Subject, "role", p.Role,
			"action", string(action), "reason", d.Reason)
	}
	return d, d.Err()
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

func (a *API) mustExist(ctx context.Context, id string) error {
	if !validStayID(id) {
		return kitdomain.ErrNotFound
	}
	l, err := a.repo.Load(ctx, id)
	if err == nil && l.Version == 0 {
		err = kitdomain.ErrNotFound
	}
	return err
}

// validStayID reports whether id is one this service issues (a UUIDv7).
func validStayID(id string) bool {
	_, err := events.ParseID(id)
	return err == nil
}

// newStayID issues a stay id: a UUIDv7, so ids sort by admission time.
func newStayID(now time.Time) string { return events.NewID(now).String() }
