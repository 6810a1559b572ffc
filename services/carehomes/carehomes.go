package carehomes

import (
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/api"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

// Rules is the service's configuration of the national rules.
type Rules = domain.Rules

// DefaultRules returns the national rules: 7 working days, England's bank
// holidays, counted in Europe/London.
func DefaultRules() Rules { return domain.DefaultRules() }

// Options wires the carehomes service into the shared runtime: dir names
// the care homes, clinicians and teams; registry resolves patients; rules
// must be valid.
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
