package homevisits

import (
	"context"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/homevisits/internal/api"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/timer"
)

// Options wires the home-visits API into the shared runtime: dir is the
// directory (practices, care homes, clinicians), registry resolves the
// patient of a request, and rules are the PCN's validated home-visit rules.
// The acceptance timers run beside the API.
func Options(dir *directory.Directory, registry *patientref.Client, rules domain.Rules) service.Options {
	return service.Options{
		Migrations: append(api.Migrations(), timer.Migrations()),
		Background: func(ctx context.Context, d service.Deps) error {
			rec, err := audit.New(d.Store, "homevisits", d.Now)
			if err != nil {
				return err
			}
			return timer.New(d.Pool, d.Schema, aggregate.NewRepository(api.Type, d.Store), rec, rules, d.Now, d.Logger).Run(ctx)
		},
		OpenAPI: OpenAPI,
		Routes: func(r *httpkit.Router, d service.Deps) error {
			a, err := api.New(d, dir, registry, rules)
			if err != nil {
				return err
			}
			a.Register(r)
			return nil
		},
	}
}

// DefaultRules are the service's built-in rules, for components that run
// it with no rules file (the cross-service scenario tests).
func DefaultRules() domain.Rules { return domain.DefaultRules() }
