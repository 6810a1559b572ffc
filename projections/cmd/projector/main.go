// Command projector runs the timeline projection worker.
package main

import (
	"fmt"
	"strconv"
	"strings"
	_ "time/tzdata" // timeline summaries render Europe/London wherever the binary runs

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/projections"
)

func main() { service.Main(process()) }

func process() service.Process {
	var partitions string
	return service.Process{
		Name:   "projector",
		Schema: projections.Schema,
		Bind: func(b *config.Binder) {
			b.String(&partitions, "partitions", "PARTITIONS", "", "comma-separated partitions this worker consumes (default: all)")
		},
		Options: func(service.Loaded) (service.Options, error) {
			ps, err := parsePartitions(partitions)
			if err != nil {
				return service.Options{}, err
			}
			return projections.ProjectorOptions(ps), nil
		},
	}
}

func parsePartitions(s string) ([]int, error) {
	var ps []int
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for _, f := range strings.Split(s, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("partitions %q: want numbers such as 0,1,2", s)
		}
		ps = append(ps, p)
	}
	return ps, nil
}
