// Package api is the medreviews service's HTTP adapter: it validates
// requests at the edge, looks up in the directory and the patient registry
// what the domain's commands need, runs them on the review aggregate, and
// keeps the review index in the same transaction as the events.
package api

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the service's own tables, after the event store's.
func Migrations() []pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return []pgkit.Migrations{idempotency.Migrations(), {Name: "medreviews", FS: sub}}
}

// Type is the review aggregate.
var Type = aggregate.Type[domain.ReviewState]{
	Name: domain.AggregateName, Registry: medreviews.Registry(), Evolve: domain.EvolveReview, Route: domain.RouteReview,
}

// API serves the review commands and reads.
type API struct {
	rules      domain.Rules
	repo       *aggregate.Repository[domain.ReviewState]
	index      *reviewIndex
	idem       *idempotency.Store
	audit      *audit.Recorder
	breakGlass breakglass.Checker
	directory  *directory.Directory
	registry   *patientref.Client
	london     *time.Location
	logger     *slog.Logger
	now        func() time.Time
}

// New builds the API on the runtime's connections. The rules must be valid.
func New(d service.Deps, dir *directory.Directory, registry *patientref.Client, rules domain.Rules) (*API, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return nil, fmt.Errorf("load Europe/London (import time/tzdata): %w", err)
	}
	idem, err := idempotency.New(d.Pool, d.Schema)
	if err != nil {
		return nil, err
	}
	rec, err := audit.New(d.Store, "medreviews", d.Now)
	if err != nil {
		return nil, err
	}
	return &API{
		rules:      rules,
		audit:      rec,
		breakGlass: d.BreakGlass,
		repo:       aggregate.NewRepository(Type, d.Store),
		index:      newReviewIndex(d.Pool, d.Schema),
		idem:       idem,
		directory:  dir,
		registry:   registry,
		london:     london,
		logger:     d.Logger,
		now:        d.Now,
	}, nil
}

// Register puts the routes on r.
func (a *API) Register(r *httpkit.Router) {
	r.HandleFunc("POST /v1/reviews", a.identifyCandidate)
	r.HandleFunc("GET /v1/reviews/{review}", a.getReview)
	r.HandleFunc("POST /v1/reviews/{review}/invite", a.invite)
	r.HandleFunc("POST /v1/reviews/{review}/book", a.book)
	r.HandleFunc("POST /v1/reviews/{review}/rebook", a.rebook)
	r.HandleFunc("POST /v1/reviews/{review}/did-not-attend", a.recordDidNotAttend)
	r.HandleFunc("POST /v1/reviews/{review}/complete", a.complete)
	r.HandleFunc("POST /v1/reviews/{review}/decline", a.decline)
	r.HandleFunc("POST /v1/reviews/{review}/close", a.close)
	r.HandleFunc("POST /v1/reviews/{review}/recommendations", a.recommend)
	r.HandleFunc("POST /v1/reviews/{review}/recommendations/{recommendation}/accept", a.acceptRecommendation)
	r.HandleFunc("POST /v1/reviews/{review}/recommendations/{recommendation}/reject", a.rejectRecommendation)
}

// commands is the review's command endpoint.
func (a *API) commands() *service.Commands[domain.ReviewState] {
	return &service.Commands[domain.ReviewState]{
		Repo: a.repo, Idem: a.idem, Logger: a.logger, Now: a.now,
		View:       func(l aggregate.Loaded[domain.ReviewState]) any { return a.view(l) },
		Path:       reviewPath,
		Audit:      a.audit,
		Patients:   func(s domain.ReviewState) []string { return []string{s.Patient} },
		BreakGlass: a.breakGlass,
	}
}

func reviewPath(id string) string { return "/v1/reviews/" + id }

// change runs a change request on review {review}, if the caller may do
// action to it: body is decoded, then parse turns it into the domain
// decision at the command's time. named is the clinician the request
// records the act for (nil if none). The policy is asked on the state
// the decision is made on, in the transaction. Every change keeps the
// review index in step, in the same transaction.
func (a *API) change(w http.ResponseWriter, r *http.Request, action policy.Action, body any, named func() string,
	parse func(now time.Time) (aggregate.Decide[domain.ReviewState], error)) {
	// A review that does not exist is a 404 whatever the If-Match says.
	id := r.PathValue("review")
	ok := validReviewID(id)
	var err error
	if ok {
		ok, err = a.index.exists(r.Context(), id)
	}
	if err == nil && !ok {
		err = httpkit.Errorf(httpkit.KindNotFound, "no such review")
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	var basis access.Basis
	a.commands().Change(w, r, id, service.Command[domain.ReviewState]{
		Body: body,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.ReviewState], error) {
			decide, err := parse(meta.Now)
			if err != nil {
				return nil, err
			}
			return func(s domain.ReviewState, version int64) ([]events.Data, error) {
				facts := policy.Review{PCN: s.PCN}
				if named != nil {
					facts.Named = policy.ClinicianOf(a.directory, strings.TrimSpace(named()))
				}
				d, err := a.authorize(r, action, facts)
				if err != nil {
					return nil, err
				}
				basis = d.Basis
				return decide(s, version)
			}, nil
		},
		Also:  a.keepIndex,
		Basis: func() access.Basis { return basis },
	})
}

// authorize asks the policy whether the request's caller may do action to
// review: the decision, or a 403 naming the reason (401 if the request
// was not authenticated).
func (a *API) authorize(r *http.Request, action policy.Action, review policy.Review) (policy.Decision, error) {
	p, ok := auth.From(r.Context())
	if !ok {
		_, err := auth.ActorFrom(r)
		return policy.Decision{}, err
	}
	d := policy.Decide(p, action, review)
	if !d.Allowed {
		a.logger.Info("access denied", "request_id", httpkit.RequestID(r.Context()), "sub", p.Subject, "role", p.Role,
			"action", string(action), "reason", d.Reason)
	}
	return d, d.Err()
}

// keepIndex records the review's status in the index.
func (a *API) keepIndex(ctx context.Context, tx pgx.Tx, l aggregate.Loaded[domain.ReviewState]) error {
	return a.index.put(ctx, tx, l.ID, l.State.Patient, string(l.State.Status))
}

// validReviewID reports whether id could be a review id (one this API
// issued), so a malformed one is a plain 404.
func validReviewID(id string) bool {
	_, err := events.ParseID(id)
	return err == nil
}

// getReview serves a review to a caller the policy lets read it; the read
// is recorded on the patient's trail before it is answered.
func (a *API) getReview(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("review")
	if !validReviewID(id) {
		httpkit.WriteError(w, r, a.logger, httpkit.Errorf(httpkit.KindNotFound, "no such review"))
		return
	}
	a.commands().Read(w, r, id, func(l aggregate.Loaded[domain.ReviewState]) (access.Basis, error) {
		d, err := a.authorize(r, policy.Read, policy.Review{PCN: l.State.PCN})
		return d.Basis, err
	})
}
