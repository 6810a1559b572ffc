package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(mainExitCode())
}

func mainExitCode() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseConfig(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "crashtest: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("crash test failed", slog.Any("error", err))
		return 1
	}
	if len(cfg.Victims) == 0 {
		logger.Info("load run passed: nothing lost, nothing repeated")
		return 0
	}
	logger.Info("crash test passed: nothing lost, nothing repeated")
	return 0
}

// Config is one crash test.
type Config struct {
	Duration  time.Duration // of the load
	Rate      float64       // commands/s
	Patients  int
	KillEvery time.Duration
	Victims   []string
	Keep      bool     // keep the temporary directory
	Loadgen   []string // more loadgen flags
	// Workers is loadgen's bound on commands in flight.
	Workers int
	// Baselines, if not zero, makes the run the end-to-end benchmark: the
	// raw baselines run for this long each on the stack's own servers
	// before the stack starts, and the load's figures are printed beside
	// them as ratios and written to Out.
	Baselines time.Duration
	Out       string
}

// victims are the kinds of process crashtest knows how to kill.
var victims = []string{"homevisits", "discharge", "projector", "nats", "postgres"}

func parseConfig(args []string) (Config, error) {
	fs := flag.NewFlagSet("crashtest", flag.ContinueOnError)
	var c Config
	var list string
	fs.DurationVar(&c.Duration, "duration", 2*time.Minute, "how long the load runs")
	fs.Float64Var(&c.Rate, "rate", 100, "commands/s; 0: as fast as the stack goes with -workers in flight (closed loop)")
	fs.IntVar(&c.Workers, "workers", 64, "loadgen's commands in flight at most (the bare INSERT baseline's writers too)")
	fs.DurationVar(&c.Baselines, "baselines", 0, "run the raw baselines (bare INSERT, raw JetStream publish) this long each first and print the load beside them as ratios (0: no baselines)")
	fs.StringVar(&c.Out, "out", "e2e-bench.json", "with -baselines: the benchmark's JSON results (baselines, ratios, loadgen's results)")
	fs.IntVar(&c.Patients, "patients", 2000, "synthetic patients")
	fs.DurationVar(&c.KillEvery, "kill-every", 15*time.Second, "time between kills (the first after one interval)")
	fs.StringVar(&list, "victims", strings.Join(victims, ","), "processes to kill -9, in order")
	fs.BoolVar(&c.Keep, "keep", false, "keep the temporary directory (logs, data) afterwards")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Loadgen = fs.Args()
	var errs []error
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if !slices.Contains(victims, v) {
			errs = append(errs, fmt.Errorf("-victims: %q is not one of %s", v, strings.Join(victims, ", ")))
		}
		c.Victims = append(c.Victims, v)
	}
	if c.Duration < 10*time.Second {
		errs = append(errs, fmt.Errorf("-duration %v: want at least 10s", c.Duration))
	}
	if c.KillEvery < time.Second {
		errs = append(errs, fmt.Errorf("-kill-every %v: want at least 1s", c.KillEvery))
	}
	if n := len(c.Victims); n > 0 && time.Duration(n+1)*c.KillEvery > c.Duration {
		errs = append(errs, fmt.Errorf("%d kills every %v do not fit in -duration %v (the last must leave load running after it)", n, c.KillEvery, c.Duration))
	}
	if c.Rate < 0 || c.Patients < 100 || c.Workers < 1 {
		errs = append(errs, errors.New("-rate must be 0 or more, -patients at least 100 and -workers at least 1"))
	}
	if c.Baselines < 0 || (c.Baselines > 0 && c.Baselines < time.Second) {
		errs = append(errs, fmt.Errorf("-baselines %v: want 0 or at least 1s", c.Baselines))
	}
	return c, errors.Join(errs...)
}
