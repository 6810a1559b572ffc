// Command patients runs the patient registry.
package main

import (
	"fmt"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/patients"
)

func main() { service.Main(process()) }

func process() service.Process {
	var allowReal string
	return service.Process{
		Name: "patients",
		Bind: func(b *config.Binder) {
			b.String(&allowReal, "allow-real-nhs-numbers", "ALLOW_REAL_NHS_NUMBERS", "false",
				"admit NHS numbers outside the synthetic 999 range (live deployments only)")
		},
		Options: func(l service.Loaded) (service.Options, error) {
			if allowReal != "true" && allowReal != "false" {
				return service.Options{}, fmt.Errorf("allow-real-nhs-numbers %q: want true or false", allowReal)
			}
			return patients.Options(l.Directory, allowReal == "true"), nil
		},
	}
}
