// Command query runs the query API coordinators read timelines through.
package main

import (
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/projections"
)

func main() { service.Main(process()) }

func process() service.Process {
	return service.Process{
		Name:    "query",
		Schema:  projections.Schema,
		Options: func(service.Loaded) (service.Options, error) { return projections.QueryOptions(), nil },
	}
}
