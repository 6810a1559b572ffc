package discharge

import (
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/discharge/internal/api"
	"github.com/careweave/careweave/services/discharge/internal/domain"
)

// Options wires the discharge service into the shared runtime: dir for the
// practices, care homes, teams and clinicians it checks, registry to
// resolve patients, rules for the deadlines (validated here again).
func Options(dir *directory.Directory, registry *patientref.Client, rules domain.Rules) service.Options {
	return service.Options{
		Migrations: api.Migrations(),
		OpenAPI:    OpenAPI,
		Routes: func(r *httpkit.Router, d service.Deps) error {
			a, err := api.New(d, api.Config{Directory: dir, Registry: registry, Rules: rules})
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
