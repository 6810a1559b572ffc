package httpkit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve serves handler on ln until ctx ends, then stops accepting and lets
// in-flight requests finish for up to grace before closing them.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, grace time.Duration, logger *slog.Logger) error {
	stopping := make(chan struct{})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// Requests outlive ctx (shutdown lets them finish); long-lived ones
		// (live feeds) watch Stopping to end themselves.
		BaseContext: func(net.Listener) context.Context {
			return context.WithValue(context.WithoutCancel(ctx), stoppingKey{}, (<-chan struct{})(stopping))
		},
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("http listening", "addr", ln.Addr().String())

	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	close(stopping)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("in-flight requests outlived the shutdown grace period", "grace", grace)
		_ = srv.Close()
	}
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", serveErr)
	}
	return nil
}

type stoppingKey struct{}

// Stopping is closed when the server begins to shut down: a handler that
// streams (Server-Sent Events) returns then, so shutdown need not wait out
// its grace period. Ordinary requests ignore it and finish.
func Stopping(ctx context.Context) <-chan struct{} {
	if c, ok := ctx.Value(stoppingKey{}).(<-chan struct{}); ok {
		return c
	}
	return nil
}
