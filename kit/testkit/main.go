package testkit

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/pgcluster"
)

// Main runs a test binary's tests. With DATABASE_URL set (make test sets it
// once for every package) it uses that cluster; otherwise it starts a
// throwaway private cluster for this binary, so `go test` works anywhere the
// PostgreSQL server binaries are installed.
func Main(m *testing.M) {
	if os.Getenv("DATABASE_URL") != "" {
		os.Exit(m.Run())
	}
	code, err := withPrivateCluster(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testkit:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func withPrivateCluster(m *testing.M) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := pgcluster.MkdirTemp("careweave-test-pg-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := pgcluster.Start(ctx, pgcluster.Config{Dir: dir + "/data", Logger: logger})
	if err != nil {
		return 0, fmt.Errorf("start a private PostgreSQL for the tests (or set DATABASE_URL): %w", err)
	}
	defer func() { _ = c.Stop(context.Background()) }()
	os.Setenv("DATABASE_URL", c.URL("postgres"))
	return m.Run(), nil
}
