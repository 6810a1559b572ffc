package projections

import (
	"context"
	"time"

	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/projections/internal/query"
	"github.com/careweave/careweave/projections/internal/store"
	"github.com/careweave/careweave/projections/internal/worker"
)

// Schema is the control schema of the read models: it points at the live
// generation (schema projections_g<N>), which the projector writes and the
// query API reads, and which a rebuild replaces.
const Schema = "projections"

// ProjectorOptions wires the timeline worker into the shared runtime as a
// read-side component: no event log of its own, its consumers in the
// background, on the given partitions (nil: all).
func ProjectorOptions(partitions []int) service.Options {
	return service.Options{
		ReadSide:   true,
		Migrations: store.ControlMigrations(),
		Prepare:    prepare,
		OpenAPI:    ProjectorOpenAPI,
		Routes:     func(*httpkit.Router, service.Deps) error { return nil },
		Background: func(ctx context.Context, d service.Deps) error {
			return worker.Run(ctx, d.JS, d.Pool, d.Schema, worker.Config{Partitions: partitions, Existing: d.ConsumersProvisioned}, d.Logger)
		},
	}
}

// ProjectorConsumers are the projector's durable consumers, one per
// partition. Where its NATS user may not create them (kit/natsauth), the
// administrator makes them from these (natskit.EnsureConsumer) before the
// projector starts.
func ProjectorConsumers() []natskit.ConsumerSpec { return worker.Consumers() }

// QueryConfig is what the query API needs besides the read models.
type QueryConfig struct {
	// Directory says where clinicians work, which PCNs a team covers and
	// which PCN a care home is aligned to: facts the access policy needs.
	Directory *directory.Directory
	// BreakGlassFor is how long a break-glass grant lasts (default 30 min).
	BreakGlassFor time.Duration
	// FeedRecheck is how often a live feed looks for changes by itself
	// (query.Config.FeedRecheck; default 5 s).
	FeedRecheck time.Duration
}

// QueryOptions wires the query API. It prepares the read models as the
// projector does, so either may start first. It has an event log of its
// own, for the access audit: every read of a patient's data is recorded
// there before it is answered, and its relay publishes the records on
// care.access.query.>.
func QueryOptions(cfg QueryConfig) service.Options {
	return service.Options{
		Migrations: append(store.ControlMigrations(), query.Migrations()),
		OpenAPI:    QueryOpenAPI,
		Prepare:    prepare,
		Routes: func(r *httpkit.Router, d service.Deps) error {
			rec, err := audit.New(d.Store, "query", d.Now)
			if err != nil {
				return err
			}
			a, err := query.New(d.Pool, d.Schema, query.Config{Directory: cfg.Directory, Recorder: rec, BreakGlassFor: cfg.BreakGlassFor, FeedRecheck: cfg.FeedRecheck}, d.Logger)
			if err != nil {
				return err
			}
			a.Register(r)
			return nil
		},
	}
}

// prepare makes sure the read models have a live generation with its tables
// up to date.
func prepare(ctx context.Context, d service.Deps) error {
	gens, err := store.NewGenerations(d.Schema)
	if err != nil {
		return err
	}
	_, err = gens.Prepare(ctx, d.Pool)
	return err
}
