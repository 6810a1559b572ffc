// Package notify is the service that tells people outside Careweave what
// concerns them: each community team the discharges routed to it, each
// clinician the visits assigned to them, as thin notices on subjects of
// their own (see events/notify and events/asyncapi.json).
package notify

import (
	"context"
	"errors"
	"sync"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/notify/internal/api"
	"github.com/careweave/careweave/services/notify/internal/feed"
	"github.com/careweave/careweave/services/notify/internal/webhook"
)

// WebhookConfig tunes webhook delivery (see webhook.Config).
type WebhookConfig = webhook.Config

// Options wires the service into the shared runtime: its event log (the
// recipients' feeds) and relay, the consumers that fill the feeds, the
// webhook deliverers, and the API (a clinician's assignments, a team's
// webhook). dir names the community teams.
func Options(dir *directory.Directory, hooks WebhookConfig) service.Options {
	webhooksOf := func(d service.Deps) *webhook.Webhooks {
		return webhook.New(d.Pool, d.Store, d.Schema, hooks, feed.Actor, d.Logger)
	}
	return service.Options{
		Migrations: append(feed.Migrations(), webhook.Migrations()),
		OpenAPI:    OpenAPI,
		Routes: func(r *httpkit.Router, d service.Deps) error {
			a, err := api.New(d, webhooksOf(d), dir)
			if err != nil {
				return err
			}
			a.Register(r)
			return nil
		},
		Background: func(ctx context.Context, d service.Deps) error {
			// Either failing stops both, so the process exits and restarts.
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, run := range []func(context.Context) error{func(ctx context.Context) error { return feed.Run(ctx, d) }, webhooksOf(d).Run} {
				wg.Go(func() {
					if errs[i] = run(ctx); errs[i] != nil {
						cancel()
					}
				})
			}
			wg.Wait()
			return errors.Join(errs...)
		},
	}
}
