// Command query runs the query API coordinators read timelines through.
package main

import (
	"errors"
	"time"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/projections"
)

func main() { service.Main(process()) }

func process() service.Process {
	var cfg projections.QueryConfig
	return service.Process{
		Name:   "query",
		Schema: projections.Schema,
		Bind: func(b *config.Binder) {
			b.Duration(&cfg.BreakGlassFor, "break-glass-for", "BREAK_GLASS_FOR", 30*time.Minute, "how long a break-glass grant lets its holder read a patient's record")
		},
		Options: func(l service.Loaded) (service.Options, error) {
			if cfg.BreakGlassFor < time.Minute || cfg.BreakGlassFor > 4*time.Hour {
				return service.Options{}, errors.New("BREAK_GLASS_FOR: want 1m to 4h")
			}
			cfg.Directory = l.Directory
			return projections.QueryOptions(cfg), nil
		},
	}
}
