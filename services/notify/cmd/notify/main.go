// Command notify runs the service that fills each community team's and
// clinician's notice feed and delivers teams' webhooks.
package main

import (
	"context"
	"errors"
	"time"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/notify"
)

func main() { service.Main(process()) }

// run is the process with explicit arguments and environment, for tests.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	return service.RunProcess(ctx, process(), args, getenv)
}

func process() service.Process {
	var hooks notify.WebhookConfig
	return service.Process{
		Name: "notify",
		Bind: func(b *config.Binder) {
			b.Duration(&hooks.Timeout, "webhook-timeout", "WEBHOOK_TIMEOUT", 10*time.Second, "longest one webhook delivery attempt may take")
			b.Int(&hooks.MaxAttempts, "webhook-max-attempts", "WEBHOOK_MAX_ATTEMPTS", 12, "failed attempts at one notice before a webhook is dead")
			b.Duration(&hooks.InitialBackoff, "webhook-initial-backoff", "WEBHOOK_INITIAL_BACKOFF", time.Second, "delay after a first failed attempt (doubling, jittered)")
			b.Duration(&hooks.MaxBackoff, "webhook-max-backoff", "WEBHOOK_MAX_BACKOFF", 10*time.Minute, "longest delay between attempts")
			b.Bool(&hooks.AllowHTTP, "webhook-allow-http", "WEBHOOK_ALLOW_HTTP", false, "accept http:// endpoints (development only)")
			b.Bool(&hooks.AllowPrivateNetworks, "webhook-allow-private-networks", "WEBHOOK_ALLOW_PRIVATE_NETWORKS", false,
				"let webhooks reach loopback, private and link-local addresses (development, or endpoints inside your own network)")
		},
		Options: func(l service.Loaded) (service.Options, error) {
			if hooks.Timeout < 100*time.Millisecond || hooks.Timeout > 5*time.Minute {
				return service.Options{}, errors.New("WEBHOOK_TIMEOUT: want 100ms to 5m")
			}
			if hooks.MaxAttempts < 1 || hooks.MaxAttempts > 100 {
				return service.Options{}, errors.New("WEBHOOK_MAX_ATTEMPTS: want 1 to 100")
			}
			if hooks.InitialBackoff < time.Millisecond || hooks.MaxBackoff < hooks.InitialBackoff || hooks.MaxBackoff > 24*time.Hour {
				return service.Options{}, errors.New("WEBHOOK_INITIAL_BACKOFF and WEBHOOK_MAX_BACKOFF: want 1ms <= initial <= max <= 24h")
			}
			return notify.Options(l.Directory, hooks), nil
		},
	}
}
