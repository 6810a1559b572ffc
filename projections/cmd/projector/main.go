// Command projector runs the timeline projection worker.
package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	_ "time/tzdata" // timeline summaries render Europe/London wherever the binary runs

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/projections"
	"github.com/careweave/careweave/projections/internal/store"
	"github.com/careweave/careweave/projections/internal/worker"
)

func main() { service.Main(process()) }

// run is the process with explicit arguments and environment, for tests.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	return service.RunProcess(ctx, process(), args, getenv)
}

func process() service.Process {
	var partitions string
	return service.Process{
		Name:   "projector",
		Schema: "projections",
		Bind: func(b *config.Binder) {
			b.String(&partitions, "partitions", "PARTITIONS", "", "comma-separated partitions this worker consumes (default: all)")
		},
		Options: func(service.Loaded) (service.Options, error) {
			cfg, err := parsePartitions(partitions)
			if err != nil {
				return service.Options{}, err
			}
			return options(cfg), nil
		},
	}
}

// options wires the worker into the shared runtime as a read-side
// component: no event log of its own, its consumers in the background.
func options(cfg worker.Config) service.Options {
	return service.Options{
		ReadSide:   true,
		Migrations: store.Migrations(),
		OpenAPI:    projections.ProjectorOpenAPI,
		Routes:     func(*httpkit.Router, service.Deps) error { return nil },
		Background: func(ctx context.Context, d service.Deps) error {
			return worker.Run(ctx, d.JS, d.Pool, d.Schema, cfg, d.Logger)
		},
	}
}

func parsePartitions(s string) (worker.Config, error) {
	var cfg worker.Config
	if strings.TrimSpace(s) == "" {
		return cfg, nil
	}
	for _, f := range strings.Split(s, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return cfg, fmt.Errorf("partitions %q: want numbers such as 0,1,2", s)
		}
		cfg.Partitions = append(cfg.Partitions, p)
	}
	return cfg, nil
}
