package projections

import (
	"context"

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

// QueryOptions wires the query API. It prepares the read models as the
// projector does, so either may start first.
func QueryOptions() service.Options {
	return service.Options{
		ReadSide:   true,
		Migrations: store.ControlMigrations(),
		OpenAPI:    QueryOpenAPI,
		Prepare:    prepare,
		Routes: func(r *httpkit.Router, d service.Deps) error {
			a, err := query.New(d.Pool, d.Schema, d.Logger)
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
