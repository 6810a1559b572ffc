// Command notify runs the service that fills each community team's and
// clinician's notice feed.
package main

import (
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/notify"
)

func main() { service.Main(process()) }

func process() service.Process {
	return service.Process{Name: "notify", Options: func(service.Loaded) (service.Options, error) { return notify.Options(), nil }}
}
