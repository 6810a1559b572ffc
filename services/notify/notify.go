// Package notify is the service that tells people outside Careweave what
// concerns them: each community team the discharges routed to it, each
// clinician the visits assigned to them, as thin notices on subjects of
// their own (see events/notify and events/asyncapi.json).
package notify

import (
	"context"

	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/notify/internal/api"
	"github.com/careweave/careweave/services/notify/internal/feed"
)

// Options wires the service into the shared runtime: its event log (the
// recipients' feeds) and relay, the consumers that fill the feeds, and the
// API a clinician's device reads its assignments from.
func Options() service.Options {
	return service.Options{
		Migrations: feed.Migrations(),
		OpenAPI:    OpenAPI,
		Routes: func(r *httpkit.Router, d service.Deps) error {
			a, err := api.New(d)
			if err != nil {
				return err
			}
			a.Register(r)
			return nil
		},
		Background: func(ctx context.Context, d service.Deps) error { return feed.Run(ctx, d) },
	}
}
