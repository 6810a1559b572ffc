// Package api is the carehomes service's HTTP adapter: it validates requests
// at the edge (pure parse functions, one per command), resolves what they
// name in the directory and the patient registry, runs the rounds' and
// residencies' commands through kit/service, and keeps the residents table
// in step with the residencies in the same transaction as their events.
package api

import (
	"embed"
	"io/fs"
	"log/slog"
	"time"

	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the service's own tables, after the event store's.
func Migrations() []pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return []pgkit.Migrations{idempotency.Migrations(), {Name: "carehomes", FS: sub}}
}

// The aggregate types.
var (
	RoundType = aggregate.Type[domain.RoundState]{
		Name: "round", Registry: carehomes.Registry(), Evolve: domain.EvolveRound, Route: domain.RouteRound,
	}
	ResidencyType = aggregate.Type[domain.ResidencyState]{
		Name: "residency", Registry: carehomes.Registry(), Evolve: domain.EvolveResidency, Route: domain.RouteResidency,
	}
)

// API serves rounds and residencies.
type API struct {
	rounds      *service.Commands[domain.RoundState]
	residencies *service.Commands[domain.ResidencyState]
	residents   *residentStore
	audit       *audit.Recorder
	directory   *directory.Directory
	registry    *patientref.Client
	rules       domain.Rules
	logger      *slog.Logger
	now         func() time.Time
}

// New builds the API on the runtime's connections. rules must be valid.
func New(d service.Deps, dir *directory.Directory, registry *patientref.Client, rules domain.Rules) (*API, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	idem, err := idempotency.New(d.Pool, d.Schema)
	if err != nil {
		return nil, err
	}
	rec, err := audit.New(d.Store, "carehomes", d.Now)
	if err != nil {
		return nil, err
	}
	a := &API{
		residents: newResidentStore(d.Pool, d.Schema), audit: rec,
		directory: dir, registry: registry, rules: rules, logger: d.Logger, now: d.Now,
	}
	a.rounds = &service.Commands[domain.RoundState]{
		Repo: aggregate.NewRepository(RoundType, d.Store), Idem: idem, Logger: d.Logger, Now: d.Now,
		View: func(l aggregate.Loaded[domain.RoundState]) any { return newRoundView(l, rules.Location) },
		Path: func(id string) string { return "/v1/rounds/" + id },
		// A round is about its nominated residents: a change to one's
		// nomination goes on that resident's trail (its event names them),
		// and a read or refusal on every nominee's.
		Audit: rec, Patients: nominees, BreakGlass: d.BreakGlass,
	}
	a.residencies = &service.Commands[domain.ResidencyState]{
		Repo: aggregate.NewRepository(ResidencyType, d.Store), Idem: idem, Logger: d.Logger, Now: d.Now,
		View:  func(l aggregate.Loaded[domain.ResidencyState]) any { return newResidencyView(l, rules.Location) },
		Path:  func(id string) string { return "/v1/residencies/" + id },
		Audit: rec, Patients: func(s domain.ResidencyState) []string { return []string{s.Patient} },
		BreakGlass: d.BreakGlass,
	}
	return a, nil
}

// nominees are the residents a round's data is about: everyone ever
// nominated to it, withdrawn ones included (their nomination and its
// reason are still shown).
func nominees(s domain.RoundState) []string {
	out := make([]string, 0, len(s.Nominations))
	for _, n := range s.Nominations {
		out = append(out, n.Patient)
	}
	return out
}

// Register puts the routes on r.
func (a *API) Register(r *httpkit.Router) {
	r.HandleFunc("POST /v1/rounds", a.scheduleRound)
	r.HandleFunc("GET /v1/rounds/{round}", a.getRound)
	r.HandleFunc("POST /v1/rounds/{round}/nominations", a.nominateResident)
	r.HandleFunc("POST /v1/rounds/{round}/nominations/{patient}/withdrawal", a.withdrawNomination)
	r.HandleFunc("POST /v1/rounds/{round}/nominations/{patient}/review", a.reviewResident)
	r.HandleFunc("POST /v1/rounds/{round}/nominations/{patient}/not-reviewed", a.recordNotReviewed)
	r.HandleFunc("POST /v1/rounds/{round}/hold", a.holdRound)
	r.HandleFunc("POST /v1/rounds/{round}/actions", a.raiseAction)
	r.HandleFunc("POST /v1/rounds/{round}/actions/{action}/completion", a.completeAction)
	r.HandleFunc("POST /v1/rounds/{round}/close", a.closeRound)
	r.HandleFunc("POST /v1/rounds/{round}/cancel", a.cancelRound)

	r.HandleFunc("POST /v1/residencies", a.admitResident)
	r.HandleFunc("GET /v1/residencies/{residency}", a.getResidency)
	r.HandleFunc("POST /v1/residencies/{residency}/assessment", a.completeAssessment)
	r.HandleFunc("POST /v1/residencies/{residency}/care-plan", a.agreeCarePlan)
	r.HandleFunc("POST /v1/residencies/{residency}/discharge", a.dischargeResident)
	r.HandleFunc("POST /v1/residencies/{residency}/death", a.recordDeath)

	r.HandleFunc("GET /v1/care-homes/{careHome}/residents", a.listResidents)
}
