package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"

	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/pgcluster"
)

const (
	// databaseName is the database the services use in the private cluster.
	databaseName = "careweave"
	// reachTimeout bounds the check that an external server answers.
	reachTimeout = 10 * time.Second
	// infraStopTimeout bounds stopping the private PostgreSQL cluster.
	infraStopTimeout = time.Minute
)

// infra is one started piece of infrastructure.
type infra struct {
	// url is what services connect with.
	url string
	// origin says, for people, where it runs.
	origin string
	// stop stops it; nil when careweave-dev did not start it.
	stop func() error
}

// startPostgres returns the database named by cfg.DatabaseURL when set, after
// checking it answers, and otherwise starts the private durable cluster in
// <data-dir>/postgres with database careweave.
func startPostgres(ctx context.Context, cfg Config, logger *slog.Logger) (infra, error) {
	if cfg.DatabaseURL != "" {
		if err := pingPostgres(ctx, cfg.DatabaseURL); err != nil {
			return infra{}, fmt.Errorf("reach PostgreSQL at DATABASE_URL %s: %w", redactURL(cfg.DatabaseURL), err)
		}
		logger.Info("using external PostgreSQL", slog.String("url", redactURL(cfg.DatabaseURL)))
		return infra{url: cfg.DatabaseURL, origin: "external, from DATABASE_URL"}, nil
	}

	dir := filepath.Join(cfg.DataDir, "postgres")
	cluster, err := pgcluster.Start(ctx, pgcluster.Config{
		Dir:     dir,
		Durable: true,
		Logger:  logger.With(slog.String("component", "postgres")),
	})
	if err != nil {
		return infra{}, fmt.Errorf("start private PostgreSQL (set DATABASE_URL to use a running server instead): %w", err)
	}
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), infraStopTimeout)
		defer cancel()
		if err := cluster.Stop(ctx); err != nil {
			return fmt.Errorf("stop private PostgreSQL: %w", err)
		}
		return nil
	}
	if err := cluster.CreateDatabase(ctx, databaseName); err != nil {
		return infra{}, errors.Join(fmt.Errorf("create database %s: %w", databaseName, err), stop())
	}
	return infra{
		url:    cluster.URL(databaseName),
		origin: "private cluster in " + displayPath(cfg.RepoRoot, dir),
		stop:   stop,
	}, nil
}

// startNATS returns the server named by cfg.NATSURL when set, after checking
// it answers, and otherwise starts the embedded server with its store in
// <data-dir>/nats.
func startNATS(ctx context.Context, cfg Config, logger *slog.Logger) (infra, error) {
	if cfg.NATSURL != "" {
		if err := pingNATS(ctx, cfg.NATSURL); err != nil {
			return infra{}, fmt.Errorf("reach NATS at NATS_URL %s: %w", redactURL(cfg.NATSURL), err)
		}
		logger.Info("using external NATS", slog.String("url", redactURL(cfg.NATSURL)))
		return infra{url: cfg.NATSURL, origin: "external, from NATS_URL"}, nil
	}

	storeDir := filepath.Join(cfg.DataDir, "nats")
	natsLogger := logger.With(slog.String("component", "nats"))
	if cfg.LogLevel > slog.LevelDebug {
		// The server's notices (a dozen lines at start-up) would drown the
		// services' output; its warnings and errors still show.
		natsLogger = slog.New(minLevelHandler{Handler: natsLogger.Handler(), min: slog.LevelWarn})
	}
	port := cfg.NATSPort
	if port == 0 {
		port = -1
	}
	ns, err := natsembed.Start(natsembed.Config{
		Port:       port,
		StoreDir:   storeDir,
		ServerName: "careweave-dev",
		Logger:     natsLogger,
	})
	if errors.Is(err, natsembed.ErrPortInUse) {
		return infra{}, fmt.Errorf("start embedded NATS: port %d is already in use, perhaps by another careweave-dev or NATS server; "+
			"pass -nats-port 0 for a random port, or set NATS_URL to use a running server: %w", cfg.NATSPort, err)
	}
	if err != nil {
		return infra{}, fmt.Errorf("start embedded NATS: %w", err)
	}
	logger.Info("embedded NATS started", slog.String("url", ns.ClientURL()), slog.String("store_dir", storeDir))
	return infra{
		url:    ns.ClientURL(),
		origin: "embedded, JetStream store in " + displayPath(cfg.RepoRoot, storeDir),
		stop: func() error {
			ns.Shutdown()
			ns.WaitForShutdown()
			logger.Info("embedded NATS stopped")
			return nil
		},
	}, nil
}

func pingPostgres(ctx context.Context, dbURL string) error {
	ctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

func pingNATS(ctx context.Context, natsURL string) error {
	timeout := reachTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = time.Until(d)
	}
	nc, err := nats.Connect(natsURL, nats.Name("careweave-dev"), nats.Timeout(timeout), nats.NoReconnect())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	nc.Close()
	return nil
}

// redactURL hides a password in a URL before it is shown. A connection
// string that is not a URL is not shown at all.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "(not shown)"
	}
	return u.Redacted()
}

// displayPath shows path relative to the repository root when it is inside.
func displayPath(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

// minLevelHandler drops records below min.
type minLevelHandler struct {
	slog.Handler
	min slog.Level
}

// Enabled reports whether the level is at least min and enabled downstream.
func (h minLevelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min && h.Handler.Enabled(ctx, level)
}

// WithAttrs keeps the minimum level on the derived handler.
func (h minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevelHandler{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

// WithGroup keeps the minimum level on the derived handler.
func (h minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{Handler: h.Handler.WithGroup(name), min: h.min}
}
