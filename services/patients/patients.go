package patients

import (
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/patients/internal/api"
)

// Options wires the registry into the shared runtime. Other services'
// component tests start a real registry with it.
func Options(dir *directory.Directory, allowRealNHSNumbers bool) service.Options {
	return service.Options{
		Migrations: api.Migrations(),
		OpenAPI:    OpenAPI,
		Routes: func(r *httpkit.Router, d service.Deps) error {
			a, err := api.New(d, dir, api.Config{AllowRealNHSNumbers: allowRealNHSNumbers})
			if err != nil {
				return err
			}
			a.Register(r)
			return nil
		},
	}
}
