package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/careweave/careweave/kit/directory"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }() // a second Ctrl-C ends verification too
	os.Exit(mainExit(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// errVerification is a run whose timelines differ from what was accepted.
var errVerification = errors.New("verification failed")

// mainExit runs loadgen and returns its exit status: 0 passed, 1 failed or
// verification found a difference, 2 bad usage.
func mainExit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	// The logger, the progress lines and the verification's share stderr.
	stderr = &syncWriter{w: stderr}
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		fmt.Fprintf(stderr, "loadgen: -log-level %q: want debug, info, warn or error\n", cfg.LogLevel)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := run(ctx, cfg, logger, stdout, stderr); err != nil {
		if errors.Is(err, errVerification) {
			fmt.Fprintf(stderr, "\nloadgen: VERIFICATION FAILED: the timelines differ from what the stack accepted (see the differences above and in %s)\n", cfg.Out)
		} else {
			fmt.Fprintf(stderr, "loadgen: %v\n", err)
		}
		return 1
	}
	return 0
}

// run sets up, drives the stack for cfg.Duration, verifies, and reports.
func run(ctx context.Context, cfg Config, logger *slog.Logger, stdout, progress io.Writer) error {
	c := newClient(cfg)
	for _, s := range serviceOrder {
		if err := ready(ctx, c, s); err != nil {
			return err
		}
	}
	// Tokens outlive setup (40,000 registrations take a few minutes), the
	// run and verification.
	ttl := cfg.Duration + cfg.CatchUp + time.Hour + time.Duration(cfg.Patients)*10*time.Millisecond
	if err := c.login(ctx, directory.Demo(), people(), ttl); err != nil {
		return err
	}
	logger.Info("signed in", "people", len(c.tokens), "issuer", cfg.Issuer)

	setupStart := time.Now()
	residents := residentsFor(cfg.Patients)
	refs, err := setup(ctx, c, cfg, residents, progress)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	res := results{Started: time.Now().UTC(), Seed: cfg.Seed, Patients: cfg.Patients, Rate: cfg.Rate, Workers: cfg.Workers,
		Setup: time.Since(setupStart).Seconds(), E2ESample: cfg.E2ESample}
	res.Mode = fmt.Sprintf("open loop at %g commands/s (at most %d in flight)", cfg.Rate, cfg.Workers)
	if cfg.Rate == 0 {
		res.Mode = fmt.Sprintf("closed loop, %d workers", cfg.Workers)
	}

	procs, err := findStack(cfg)
	if procs == nil {
		procs = &procWatch{}
	}
	if err != nil {
		res.ProcNote = "No RSS: " + err.Error()
		logger.Warn("stack processes not found: no RSS figures", "err", err)
	}

	d := &driver{cfg: cfg, client: c, logger: logger, refs: refs, ledger: newLedger(), stats: newStats(), started: time.Now(),
		w: newWorkload(cfg.Seed, cfg.Patients, residents)}
	from := d.started.Add(-time.Minute) // every entry of the run occurs after this
	d.follow = newFollower(c, cfg.Seed, cfg.E2ESample, from)
	stopFollowing := d.follow.run(ctx)
	sctx, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() { defer close(sampled); d.sampler(sctx, procs, progress) }()

	logger.Info("driving the stack", "mode", res.Mode, "duration", cfg.Duration, "patients", cfg.Patients)
	procs.startCPU()
	d.run(ctx)
	res.Duration = time.Since(d.started).Seconds()
	logger.Info("commands done; waiting for the end-to-end followers", "accepted", d.stats.accepted.Load())
	stopFollowing(30 * time.Second)
	stopSampling()
	<-sampled
	procs.stopCPU()
	res.Procs, res.MachineCPU, res.LoadgenCPU = procs.result(), procs.Machine, procs.Self

	v, err := verify(context.WithoutCancel(ctx), c, d.ledger, refs, from, cfg.CatchUp, progress)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	res.Verify = v

	s := d.stats
	s.mu.Lock()
	res.Sent, res.Accepted, res.Failed, res.Skipped, res.Retried = s.sent.Load(), s.accepted.Load(), s.failed.Load(), s.skipped.Load(), s.retried.Load()
	res.AcceptedRate = float64(res.Accepted) / res.Duration
	if after := res.Duration - cfg.Warmup.Seconds(); after > 0 {
		res.AfterWarmRate = float64(s.warm) / after
	}
	res.RoundTrip, res.FromSchedule = percentiles(s.rtt), percentiles(s.resp)
	res.Commands, res.Samples = s.byName, s.samples
	s.mu.Unlock()
	d.follow.mu.Lock()
	res.EndToEnd, res.E2ETimeouts, res.E2EDropped, res.E2ECapped = percentiles(d.follow.lat), d.follow.timeouts, d.follow.dropped, d.follow.capped
	res.E2EFeeds, res.E2EFeedsPeak, res.E2EReconnects = d.follow.opened, d.follow.peak, d.follow.reconnects
	d.follow.mu.Unlock()
	res.Passed = v.Total == 0 && res.Accepted > 0

	writeMarkdown(stdout, res)
	if err := writeJSON(cfg.Out, res); err != nil {
		return err
	}
	if res.Accepted == 0 {
		return errors.New("the stack accepted no command")
	}
	if !res.Passed {
		return errVerification
	}
	if f := float64(res.Failed) / float64(max(res.Sent, 1)); f > cfg.MaxFailed {
		return fmt.Errorf("%d of %d commands failed (%.1f %%, more than -max-failed %.1f %%): see the table above and the log", res.Failed, res.Sent, 100*f, 100*cfg.MaxFailed)
	}
	return nil
}

// ready waits up to 30 s for a service's /readyz.
func ready(ctx context.Context, c *client, service string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := c.do(ctx, service, http.MethodGet, "/readyz", "", "", 0, nil)
		if err == nil && r.Status == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("HTTP %d", r.Status)
			}
			return fmt.Errorf("service %s at %s is not ready (%v): start the stack with make run, or pass its -base-port", service, c.cfg.URL(service), err)
		}
		if !sleep(ctx, 500*time.Millisecond) {
			return ctx.Err()
		}
	}
}

// syncWriter serialises writes from several goroutines to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
