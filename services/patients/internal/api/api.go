// Package api is the patient registry's HTTP adapter: it validates requests
// at the edge, runs the registry's commands, and keeps personal details in
// their own table in the same transaction as the events.
package api

import (
	"embed"
	"io/fs"
	"log/slog"
	"time"

	"github.com/careweave/careweave/events/patients"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/patients/internal/domain"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the registry's own tables, after the event store's.
func Migrations() []pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return []pgkit.Migrations{idempotency.Migrations(), {Name: "patients", FS: sub}}
}

// Type is the patient aggregate.
var Type = aggregate.Type[domain.Patient]{Name: "patient", Registry: patients.Registry(), Evolve: domain.Evolve, Route: domain.Route}

// Config is the registry's own settings.
type Config struct {
	// AllowRealNHSNumbers admits numbers outside the never-issued 999
	// range. Off everywhere but a live deployment, so demo and test
	// systems can never hold a real patient's number.
	AllowRealNHSNumbers bool
}

// API serves the registry.
type API struct {
	cfg        Config
	repo       *aggregate.Repository[domain.Patient]
	details    *detailsStore
	idem       *idempotency.Store
	audit      *audit.Recorder
	breakGlass breakglass.Checker
	directory  *directory.Directory
	logger     *slog.Logger
	now        func() time.Time
}

// New builds the API on the runtime's connections.
func New(d service.Deps, dir *directory.Directory, cfg Config) (*API, error) {
	idem, err := idempotency.New(d.Pool, d.Schema)
	if err != nil {
		return nil, err
	}
	rec, err := audit.New(d.Store, "patients", d.Now)
	if err != nil {
		return nil, err
	}
	return &API{
		cfg:        cfg,
		audit:      rec,
		breakGlass: d.BreakGlass,
		repo:       aggregate.NewRepository(Type, d.Store),
		details:    newDetailsStore(d.Pool, d.Schema),
		idem:       idem,
		directory:  dir,
		logger:     d.Logger,
		now:        d.Now,
	}, nil
}

// Register puts the routes on r.
func (a *API) Register(r *httpkit.Router) {
	r.HandleFunc("POST /v1/patients", a.register)
	r.HandleFunc("POST /v1/patients/resolve", a.resolve)
	r.HandleFunc("GET /v1/patients/{patient}", a.get)
	r.HandleFunc("GET /v1/patients/{patient}/registration", a.registration)
	r.HandleFunc("PATCH /v1/patients/{patient}", a.changeDetails)
	r.HandleFunc("PUT /v1/patients/{patient}/practice", a.changePractice)
	r.HandleFunc("POST /v1/patients/{patient}/merge", a.merge)
}
