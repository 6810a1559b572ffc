package projections

import (
	"context"

	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/projections/internal/query"
	"github.com/careweave/careweave/projections/internal/store"
	"github.com/careweave/careweave/projections/internal/worker"
)

// Schema is where the read models live; the projector writes it and the
// query API reads it.
const Schema = "projections"

// ProjectorOptions wires the timeline worker into the shared runtime as a
// read-side component: no event log of its own, its consumers in the
// background, on the given partitions (nil: all).
func ProjectorOptions(partitions []int) service.Options {
	return service.Options{
		ReadSide:   true,
		Migrations: store.Migrations(),
		OpenAPI:    ProjectorOpenAPI,
		Routes:     func(*httpkit.Router, service.Deps) error { return nil },
		Background: func(ctx context.Context, d service.Deps) error {
			return worker.Run(ctx, d.JS, d.Pool, d.Schema, worker.Config{Partitions: partitions}, d.Logger)
		},
	}
}

// QueryOptions wires the query API. It applies the same migrations as the
// projector, so either may start first.
func QueryOptions() service.Options {
	return service.Options{
		ReadSide:   true,
		Migrations: store.Migrations(),
		OpenAPI:    QueryOpenAPI,
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
