package natskit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnectConfig says how a component connects to NATS.
type ConnectConfig struct {
	URL  string
	Name string // shows in the server's connection list
	// Options are extra nats.go options (credentials, TLS).
	Options []nats.Option
}

// Connect connects and keeps reconnecting forever. Publishes made while
// disconnected fail at once instead of being buffered: the relay then
// retries from PostgreSQL, which keeps publication in commit order.
func Connect(ctx context.Context, cfg ConnectConfig, logger *slog.Logger) (*nats.Conn, error) {
	if cfg.URL == "" {
		return nil, errors.New("connect to nats: no url")
	}
	opts := []nats.Option{
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		nats.ReconnectBufSize(-1),
		nats.Timeout(5 * time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil is our own Close
				logger.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			logger.Info("nats reconnected", "server", nc.ConnectedServerId())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			logger.Error("nats async error", "subscription", subject, "err", err)
		}),
	}
	opts = append(opts, cfg.Options...)
	// The first connection is retried too, so a component started before
	// NATS comes up waits for it instead of exiting.
	for {
		nc, err := nats.Connect(cfg.URL, opts...)
		if err == nil {
			return nc, nil
		}
		logger.Warn("nats not reachable yet", "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to nats: %w", errors.Join(ctx.Err(), err))
		case <-time.After(time.Second):
		}
	}
}
