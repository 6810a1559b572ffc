package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/careweave/careweave/kit/directory"
)

// run starts the stack, reports it ready, and runs it until ctx ends (a
// clean stop, nil) or a service exits on its own (an error). Whatever it
// started is stopped before it returns: the services first, then the token
// issuer, then NATS, then PostgreSQL.
func run(ctx context.Context, cfg Config, logger *slog.Logger) (err error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}
	out := &syncWriter{w: cfg.Output}

	svcs, err := discoverServices(cfg.RepoRoot)
	if err != nil {
		return fmt.Errorf("discover services: %w", err)
	}
	dir, err := directory.Load(cfg.DirectoryFile)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	binDir := filepath.Join(cfg.DataDir, "bin")
	if len(svcs) > 0 {
		if p := cfg.IssuerPort - cfg.BasePort; cfg.IssuerPort != 0 && p >= 0 && p < len(svcs) {
			return fmt.Errorf("issuer port %d is also service %s's port: pass another -issuer-port or -base-port", cfg.IssuerPort, svcs[p].Name)
		}
		if err := checkPortsFree(svcs, cfg.BasePort); err != nil {
			return err
		}
		if err := buildServices(ctx, cfg.RepoRoot, binDir, svcs, out, logger); err != nil {
			return interrupted(ctx, logger, err)
		}
	}

	// Whatever happens below, stop what was started: the services first,
	// then the issuer, then NATS, then PostgreSQL.
	var stopServices, stopIssuer, stopNATS, stopPostgres func() error
	defer func() {
		for _, stop := range []func() error{stopServices, stopIssuer, stopNATS, stopPostgres} {
			if stop == nil {
				continue
			}
			if stopErr := stop(); stopErr != nil {
				logger.Error("shutdown step failed", slog.Any("error", stopErr))
				err = errors.Join(err, stopErr)
			}
		}
	}()

	// The issuer and NATS first: their fixed ports are the likeliest things
	// to be taken. The services fetch the issuer's keys as they start.
	iss, err := startIssuer(cfg, logger)
	if err != nil {
		return err
	}
	stopIssuer = iss.stop
	nc, err := startNATS(ctx, cfg, dir, logger)
	if err != nil {
		return interrupted(ctx, logger, err)
	}
	stopNATS = nc.stop
	// The components' NATS users may not make streams or consumers: the
	// administrator makes them before any component starts.
	if err := provisionNATS(ctx, nc, dir, cfg.Topology, logger); err != nil {
		return interrupted(ctx, logger, err)
	}
	pg, err := startPostgres(ctx, cfg, logger)
	if err != nil {
		return interrupted(ctx, logger, err)
	}
	stopPostgres = pg.stop
	// carectl reads where the servers are from here while the stack runs.
	envFile := filepath.Join(cfg.DataDir, StackEnvFile)
	if err := os.WriteFile(envFile, []byte("# Written by careweave-dev while the stack runs; carectl reads it.\n"+
		"DATABASE_URL="+pg.url+"\nNATS_URL="+nc.url+"\nAUTH_ISSUER="+iss.url+"\n"+nc.stackEnv()), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", envFile, err)
	}
	defer os.Remove(envFile)

	sup := newSupervisor(logger, out, cfg.StopTimeout, len(svcs))
	stopServices = func() error { sup.stop(); return nil }
	width := 0
	for _, s := range svcs {
		width = max(width, len(s.Name))
	}
	endpoints := make([]Endpoint, 0, len(svcs))
	// Every child learns every service's URL as <NAME>_URL (PATIENTS_URL,
	// ...), so services that call each other find each other, trusts the
	// issuer's tokens (AUTH_ISSUER, ...) and signs in to NATS as its own
	// user (NATS_NKEY_SEED_FILE, ...).
	// Every service honours the break-glass grants made at the query API
	// (BREAK_GLASS_URL).
	peers := make([]string, 0, len(svcs)+1)
	for i, s := range svcs {
		url := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.BasePort+i))
		peers = append(peers, strings.ToUpper(s.Name)+"_URL="+url)
		if s.Name == "query" {
			peers = append(peers, "BREAK_GLASS_URL="+url)
		}
	}
	for i, s := range svcs {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.BasePort+i))
		env := append([]string{
			"DATABASE_URL=" + pg.url,
			"HTTP_ADDR=" + addr,
			"LOG_FORMAT=text",
		}, iss.childEnv()...)
		env = append(env, nc.childEnv(s.Name)...)
		if cfg.DirectoryFile != "" {
			env = append(env, "DIRECTORY_FILE="+cfg.DirectoryFile)
		}
		if cfg.DebugBasePort != 0 {
			env = append(env, "DEBUG_ADDR="+net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.DebugBasePort+i)))
		}
		env = append(env, peers...)
		prefix := fmt.Sprintf("%-*s | ", width, s.Name)
		if err := sup.start(s.Name, prefix, filepath.Join(binDir, s.Name), nil, env); err != nil {
			return err
		}
		endpoints = append(endpoints, Endpoint{Name: s.Name, URL: "http://" + addr})
	}

	healthCtx, cancelHealth := context.WithCancel(ctx)
	defer cancelHealth()
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		waitHealthy(healthCtx, endpoints, cfg.HealthTimeout, logger)
	}()
	// exited decides what a child's exit means: the end of the stack, or
	// (with -restart) a restart after restartDelay.
	exited := func(c *child) error {
		if !cfg.Restart {
			return childExited(logger, c)
		}
		delay := restartDelay(c)
		logger.Warn("service exited, restarting it", slog.String("service", c.name), slog.String("status", c.exitDescription()), slog.Duration("after", delay))
		time.AfterFunc(delay, func() {
			if err := sup.restart(c); err != nil {
				logger.Warn("could not restart service", slog.String("service", c.name), slog.Any("error", err))
			}
		})
		return nil
	}
waitHealthy:
	for {
		select {
		case <-healthDone:
			break waitHealthy
		case c := <-sup.Exited():
			if err := exited(c); err != nil {
				cancelHealth()
				<-healthDone
				return err
			}
		case <-ctx.Done():
			cancelHealth()
			<-healthDone
			break waitHealthy
		}
	}
	if ctx.Err() != nil {
		logger.Info("interrupted while starting, shutting down")
		return nil
	}

	ready := Ready{NATSURL: nc.url, NATSCAFile: nc.caFile, NATSSeedsDir: nc.seeds, DatabaseURL: pg.url, IssuerURL: iss.url, Services: endpoints}
	if cfg.Seed {
		seed(ctx, endpoints, iss.issuer, logger)
	}
	printSummary(out, ready, origins{nats: nc.origin, postgres: pg.origin, issuer: iss.origin}, tokenHint(cfg, envFile))
	if cfg.OnReady != nil {
		cfg.OnReady(ready)
	}

	for {
		select {
		case <-ctx.Done():
			logger.Info("shutting down")
			return nil
		case c := <-sup.Exited():
			if err := exited(c); err != nil {
				return err
			}
		}
	}
}

// interrupted turns a start-up failure caused by ctx ending into a clean
// stop.
func interrupted(ctx context.Context, logger *slog.Logger, err error) error {
	if ctx.Err() != nil {
		logger.Info("interrupted while starting, shutting down", slog.Any("error", err))
		return nil
	}
	return err
}

func childExited(logger *slog.Logger, c *child) error {
	logger.Error("service exited unexpectedly, stopping the stack",
		slog.String("service", c.name), slog.String("status", c.exitDescription()))
	return fmt.Errorf("service %s exited unexpectedly (%s)", c.name, c.exitDescription())
}

// waitHealthy waits until every service's /healthz answers 200, for at most
// timeout, and warns about those that do not.
func waitHealthy(ctx context.Context, endpoints []Endpoint, timeout time.Duration, logger *slog.Logger) {
	if len(endpoints) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for _, e := range endpoints {
		for !healthy(ctx, client, e.URL+"/healthz") {
			select {
			case <-ctx.Done():
				if errors.Is(ctx.Err(), context.DeadlineExceeded) {
					logger.Warn("service did not answer /healthz in time", slog.String("service", e.Name),
						slog.String("url", e.URL+"/healthz"), slog.Duration("timeout", timeout))
				}
				return
			case <-tick.C:
			}
		}
		logger.Debug("service healthy", slog.String("service", e.Name))
	}
}

func healthy(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// origins say, for people, where each piece of infrastructure runs.
type origins struct{ nats, postgres, issuer string }

// tokenHint is the command that gets a token from the running issuer,
// pointed at the stack env file when carectl would not look there itself.
func tokenHint(cfg Config, envFile string) string {
	hint := "go run ./tools/cmd/carectl token"
	if cfg.DataDir != filepath.Join(cfg.RepoRoot, "var") {
		hint += " -stack-env " + envFile
	}
	return hint + " -role care-coordinator -sub cc-nia-brown"
}

// printSummary tells the person at the terminal where everything is, and
// how to get a token to call it with.
func printSummary(w io.Writer, r Ready, o origins, tokenHint string) {
	var b strings.Builder
	width := len("PostgreSQL")
	for _, s := range r.Services {
		width = max(width, len(s.Name))
	}
	b.WriteString("\ncareweave dev stack is ready\n")
	fmt.Fprintf(&b, "  %-*s  %s  (%s)\n", width, "NATS", redactURL(r.NATSURL), o.nats)
	fmt.Fprintf(&b, "  %-*s  %s  (%s)\n", width, "PostgreSQL", redactURL(r.DatabaseURL), o.postgres)
	fmt.Fprintf(&b, "  %-*s  %s  (%s)\n", width, "issuer", r.IssuerURL, o.issuer)
	if len(r.Services) == 0 {
		fmt.Fprintf(&b, "No services found under %s: the infrastructure is up, with nothing running on it.\n",
			strings.Join(servicePatterns(), " or "))
	}
	for _, s := range r.Services {
		fmt.Fprintf(&b, "  %-*s  %s/healthz\n", width, s.Name, s.URL)
	}
	fmt.Fprintf(&b, "Every API wants Authorization: Bearer <token>; get one with\n  %s\n", tokenHint)
	b.WriteString("Press Ctrl-C to stop.\n\n")
	_, _ = io.WriteString(w, b.String())
}
