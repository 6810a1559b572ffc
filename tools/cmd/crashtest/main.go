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
}

// victims are the kinds of process crashtest knows how to kill.
var victims = []string{"homevisits", "discharge", "projector", "nats", "postgres"}

func parseConfig(args []string) (Config, error) {
	fs := flag.NewFlagSet("crashtest", flag.ContinueOnError)
	var c Config
	var list string
	fs.DurationVar(&c.Duration, "duration", 2*time.Minute, "how long the load runs")
	fs.Float64Var(&c.Rate, "rate", 100, "commands/s")
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
	if c.Rate <= 0 || c.Patients < 100 {
		errs = append(errs, errors.New("-rate must be positive and -patients at least 100"))
	}
	return c, errors.Join(errs...)
}
