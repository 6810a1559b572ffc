package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgcluster"
	"github.com/careweave/careweave/tools/internal/provision"
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

// natsStack is the NATS server the stack runs on and how each process
// signs in to it.
type natsStack struct {
	infra
	// seeds holds every user's nkey seed (natsauth.SeedFile); empty when
	// the server wants no credentials.
	seeds string
	// caFile, certFile and keyFile are the TLS settings of every client;
	// empty without TLS.
	caFile, certFile, keyFile string
}

// secured reports whether every process signs in as a user of its own.
func (n natsStack) secured() bool { return n.seeds != "" }

// as is how careweave-dev connects as user.
func (n natsStack) as(user string) natskit.ConnectConfig {
	c := natskit.ConnectConfig{URL: n.url, Name: "careweave-dev", CAFile: n.caFile, CertFile: n.certFile, KeyFile: n.keyFile}
	if n.secured() {
		c.NKeySeedFile, c.InboxPrefix = natsauth.SeedFile(n.seeds, user), natsauth.InboxPrefix(user)
	}
	return c
}

// childEnv tells child name where NATS is and how to sign in: as its own
// user when the directory of seeds has one by its name (every service and
// the projector; the query API does without NATS), with its own inbox
// prefix, trusting the CA. Every setting is given, so a NATS_* variable
// left in the developer's shell cannot change one.
func (n natsStack) childEnv(name string) []string {
	seed, prefix := "", ""
	if n.secured() {
		if _, err := os.Stat(natsauth.SeedFile(n.seeds, name)); err == nil {
			seed, prefix = natsauth.SeedFile(n.seeds, name), natsauth.InboxPrefix(name)
		}
	}
	return []string{
		"NATS_URL=" + n.url,
		"NATS_NKEY_SEED_FILE=" + seed,
		"NATS_INBOX_PREFIX=" + prefix,
		"NATS_CA_FILE=" + n.caFile,
		"NATS_CERT_FILE=" + n.certFile,
		"NATS_KEY_FILE=" + n.keyFile,
		"NATS_USER=",
		"NATS_PASSWORD=",
	}
}

// stackEnv is what carectl needs to sign in, for the stack env file.
func (n natsStack) stackEnv() string {
	var b strings.Builder
	for _, kv := range [][2]string{{"NATS_SEEDS_DIR", n.seeds}, {"NATS_CA_FILE", n.caFile}, {"NATS_CERT_FILE", n.certFile}, {"NATS_KEY_FILE", n.keyFile}} {
		if kv[1] != "" {
			b.WriteString(kv[0] + "=" + kv[1] + "\n")
		}
	}
	return b.String()
}

// startNATS returns the server named by cfg.NATSURL when set, after checking
// it answers (as the administrator, with cfg.NATS.SeedsDir), and otherwise
// starts the embedded server with its store in <data-dir>/nats: over TLS
// (a development CA in <data-dir>/nats-tls) and accepting only the users of
// kit/natsauth for dir, each with its seed in <data-dir>/nats-auth and held
// to its own subjects.
func startNATS(ctx context.Context, cfg Config, dir *directory.Directory, logger *slog.Logger) (natsStack, error) {
	if cfg.NATSURL != "" {
		n := natsStack{infra: infra{url: cfg.NATSURL, origin: "external, from NATS_URL"}, seeds: cfg.NATS.SeedsDir,
			caFile: cfg.NATS.CAFile, certFile: cfg.NATS.CertFile, keyFile: cfg.NATS.KeyFile}
		if err := pingNATS(ctx, n.as(natsauth.AdminName)); err != nil {
			return natsStack{}, fmt.Errorf("reach NATS at NATS_URL %s: %w", redactURL(cfg.NATSURL), err)
		}
		if n.secured() {
			n.origin += ", a user per component from " + displayPath(cfg.RepoRoot, n.seeds)
		}
		logger.Info("using external NATS", slog.String("url", redactURL(cfg.NATSURL)), slog.Bool("users", n.secured()), slog.Bool("tls", n.caFile != ""))
		return n, nil
	}

	seeds := filepath.Join(cfg.DataDir, natsSeedsDir)
	principals := natsauth.Principals(dir)
	keys, err := natsauth.EnsureSeeds(seeds, principals)
	if err != nil {
		return natsStack{}, fmt.Errorf("embedded NATS users: %w", err)
	}
	users, err := natsauth.NewUsers(principals, keys)
	if err != nil {
		return natsStack{}, fmt.Errorf("embedded NATS users: %w", err)
	}
	certs, err := natsembed.EnsureDevCertificates(filepath.Join(cfg.DataDir, natsTLSDir))
	if err != nil {
		return natsStack{}, fmt.Errorf("embedded NATS TLS: %w", err)
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
		Users:      users,
		TLS:        certs.ServerTLS(false),
	})
	if errors.Is(err, natsembed.ErrPortInUse) {
		return natsStack{}, fmt.Errorf("start embedded NATS: port %d is already in use, perhaps by another careweave-dev or NATS server; "+
			"pass -nats-port 0 for a random port, or set NATS_URL to use a running server: %w", cfg.NATSPort, err)
	}
	if err != nil {
		return natsStack{}, fmt.Errorf("start embedded NATS: %w", err)
	}
	logger.Info("embedded NATS started", slog.String("url", ns.ClientURL()), slog.String("store_dir", storeDir),
		slog.Int("users", len(users)), slog.String("seeds", seeds), slog.String("ca_file", certs.CAFile))
	return natsStack{
		infra: infra{
			url: ns.ClientURL(),
			origin: "embedded, TLS and a user per component; JetStream store in " + displayPath(cfg.RepoRoot, storeDir) +
				", seeds in " + displayPath(cfg.RepoRoot, seeds) + ", CA " + displayPath(cfg.RepoRoot, certs.CAFile),
			stop: func() error {
				ns.Shutdown()
				ns.WaitForShutdown()
				logger.Info("embedded NATS stopped")
				return nil
			},
		},
		seeds:  seeds,
		caFile: certs.CAFile,
	}, nil
}

// provisionNATS makes, as the administrator, what the children may only
// use: the streams, the projector's and notify's consumers and every
// community team's subscription (tools/internal/provision). Without
// credentials there is nothing to do: each component provisions for itself.
func provisionNATS(ctx context.Context, n natsStack, dir *directory.Directory, topology natskit.TopologyConfig, logger *slog.Logger) error {
	if !n.secured() {
		return nil
	}
	nc, err := natskit.Connect(ctx, n.as(natsauth.AdminName), logger)
	if err != nil {
		return fmt.Errorf("connect to NATS as %s: %w", natsauth.AdminName, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	res, err := provision.Run(ctx, js, dir, topology)
	if err != nil {
		return fmt.Errorf("provision NATS as %s: %w", natsauth.AdminName, err)
	}
	logger.Info("NATS provisioned", slog.Int("component_consumers", res.Components), slog.Any("new_team_subscriptions", res.Subscriptions))
	return nil
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

// pingNATS connects as cc says (the administrator, on a server with
// users) and disconnects. A refused key or an untrusted certificate fails
// at once; an unreachable server after reachTimeout.
func pingNATS(ctx context.Context, cc natskit.ConnectConfig) error {
	ctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	cc.Options = append(cc.Options, nats.NoReconnect())
	nc, err := natskit.Connect(ctx, cc, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
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
