package medreviews

import (
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/medreviews/internal/api"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
)

// Options wires the service into the shared runtime: dir is the directory
// clinicians, practices and care homes are looked up in, registry the
// patient registry that resolves patients, rules the validated local rules.
func Options(dir *directory.Directory, registry *patientref.Client, rules domain.Rules) service.Options {
	return service.Options{
		Migrations: api.Migrations(),
		OpenAPI:    OpenAPI,
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
