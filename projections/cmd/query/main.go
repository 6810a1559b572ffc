// Command query runs the query API coordinators read timelines through.
package main

import (
	"context"

	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/projections"
)

func main() { service.Main(process()) }

// run is the process with explicit arguments and environment, for tests.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	return service.RunProcess(ctx, process(), args, getenv)
}

func process() service.Process {
	return service.Process{
		Name:    "query",
		Schema:  projections.Schema,
		Options: func(service.Loaded) (service.Options, error) { return projections.QueryOptions(), nil },
	}
}
