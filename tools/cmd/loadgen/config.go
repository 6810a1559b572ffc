package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/tools/internal/stackenv"
)

// serviceOrder is the order careweave-dev gives the services their ports
// in, from -base-port up (tools/cmd/careweave-dev portOrder, then notify).
var serviceOrder = []string{"carehomes", "discharge", "homevisits", "medreviews", "patients", "projector", "query", "notify"}

// Config is what loadgen runs with.
type Config struct {
	// Seed makes the workload (journey kinds, patients, pathways, choices)
	// repeatable.
	Seed int64
	// Patients is how many synthetic patients the PCN has; patient i has
	// the i-th valid NHS number from 999 200 0000 up, so runs share them.
	Patients int
	// Rate is the target in commands per second (open loop); 0 runs closed
	// loop with Workers workers, as fast as the stack goes.
	Rate float64
	// Duration is how long commands are sent for.
	Duration time.Duration
	// Workers bounds the commands in flight (closed loop: exactly this many).
	Workers int
	// Warmup is when, after the start, "RSS after warm-up" is taken.
	Warmup time.Duration
	// E2ESample is the fraction of accepted commands followed to the
	// timeline for the end-to-end latency (0 to 1).
	E2ESample float64
	// CatchUp bounds waiting for the projections at verification.
	CatchUp time.Duration
	// Out is the JSON results file.
	Out string
	// Issuer is the development token issuer's URL (AUTH_ISSUER).
	Issuer string
	// DatabasePort is the stack's PostgreSQL port (from DATABASE_URL in the
	// stack env file), to account for its CPU; 0 if unknown.
	DatabasePort int
	// NATSPort is the stack's NATS client port (from NATS_URL in the stack
	// env file), to account for a NATS server of its own; 0 if unknown.
	NATSPort int
	// Host and BasePort locate the services as careweave-dev serves them.
	Host     string
	BasePort int
	// SetupWorkers bounds the registrations in flight in the setup phase.
	SetupWorkers int
	// MaxFailed is the fraction of sent commands that may fail (refused,
	// timed out) before the run fails.
	MaxFailed float64
	// Timeout bounds each HTTP request.
	Timeout time.Duration
	// RetryFor is how long a command is sent again (with its
	// Idempotency-Key) while there is no answer or a 5xx; 0 sends once.
	RetryFor time.Duration
	// LogLevel is loadgen's own log level.
	LogLevel string
}

// usageError is bad usage: main exits 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// URL returns the base URL of a service.
func (c Config) URL(service string) string {
	for i, s := range serviceOrder {
		if s == service {
			return "http://" + c.Host + ":" + strconv.Itoa(c.BasePort+i)
		}
	}
	panic("loadgen: unknown service " + service) // a programming error: names are constants
}

// Validate reports whether loadgen can run with c.
func (c Config) Validate() error {
	var errs []error
	if c.Patients < 10 || c.Patients > 500_000 {
		errs = append(errs, fmt.Errorf("-patients %d: want 10 to 500000", c.Patients))
	}
	if c.Rate < 0 || c.Rate > 100_000 {
		errs = append(errs, fmt.Errorf("-rate %g: want 0 (as fast as possible) up to 100000 commands/s", c.Rate))
	}
	if c.Duration <= 0 || c.Duration > 24*time.Hour {
		errs = append(errs, fmt.Errorf("-duration %s: want more than 0, at most 24h", c.Duration))
	}
	if c.Workers < 1 || c.Workers > 10_000 {
		errs = append(errs, fmt.Errorf("-workers %d: want 1 to 10000", c.Workers))
	}
	if c.SetupWorkers < 1 || c.SetupWorkers > 1_000 {
		errs = append(errs, fmt.Errorf("-setup-workers %d: want 1 to 1000", c.SetupWorkers))
	}
	if c.Warmup < 0 || c.Warmup >= c.Duration {
		errs = append(errs, fmt.Errorf("-warmup %s: want 0 or more and less than -duration %s", c.Warmup, c.Duration))
	}
	if c.E2ESample < 0 || c.E2ESample > 1 {
		errs = append(errs, fmt.Errorf("-e2e-sample %g: want a fraction from 0 to 1", c.E2ESample))
	}
	if c.CatchUp <= 0 {
		errs = append(errs, fmt.Errorf("-catch-up %s: want a positive duration", c.CatchUp))
	}
	if c.MaxFailed < 0 || c.MaxFailed > 1 {
		errs = append(errs, fmt.Errorf("-max-failed %g: want a fraction from 0 to 1", c.MaxFailed))
	}
	if c.RetryFor < 0 {
		errs = append(errs, fmt.Errorf("-retry-for %s: want 0 or more", c.RetryFor))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("-timeout %s: want a positive duration", c.Timeout))
	}
	if c.Out == "" {
		errs = append(errs, errors.New("-out: want a file name"))
	}
	if u, err := url.Parse(c.Issuer); c.Issuer == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("-issuer %q: want the development token issuer's http(s) URL (AUTH_ISSUER, or start make run, which writes var/stack.env)", c.Issuer))
	}
	if c.Host == "" {
		errs = append(errs, errors.New("-host: want the services' host"))
	}
	if c.BasePort < 1 || c.BasePort+len(serviceOrder)-1 > 65535 {
		errs = append(errs, fmt.Errorf("-base-port %d: want 1 to %d", c.BasePort, 65535-len(serviceOrder)+1))
	}
	return errors.Join(errs...)
}

// parseConfig builds a Config from flags, then the environment, then the
// stack env file careweave-dev writes, then defaults.
func parseConfig(args []string, getenv func(string) string, errOut io.Writer) (Config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "Usage: loadgen [flags]\n\nDrives the running Careweave dev stack (make run) with a PCN's workload, measures it and verifies every timeline.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	b := config.NewBinder(fs, getenv)
	var c Config
	var stackEnv string
	var errs []error
	seed := int(1)
	b.Int(&seed, "seed", "LOADGEN_SEED", 1, "seed of the workload")
	b.Int(&c.Patients, "patients", "LOADGEN_PATIENTS", 40_000, "synthetic patients in the PCN, registered in a setup phase")
	c.Rate = envFloat(getenv, "LOADGEN_RATE", 200, &errs)
	fs.Float64Var(&c.Rate, "rate", c.Rate, "target commands/s, open loop; 0: as fast as the stack goes with -workers (env LOADGEN_RATE)")
	b.Duration(&c.Duration, "duration", "LOADGEN_DURATION", 60*time.Second, "how long to send commands for")
	b.Int(&c.Workers, "workers", "LOADGEN_WORKERS", 64, "commands in flight at most (with -rate 0: exactly)")
	b.Duration(&c.Warmup, "warmup", "LOADGEN_WARMUP", 10*time.Second, "when the RSS after warm-up is taken")
	c.E2ESample = envFloat(getenv, "LOADGEN_E2E_SAMPLE", 0.05, &errs)
	fs.Float64Var(&c.E2ESample, "e2e-sample", c.E2ESample, "fraction of accepted commands followed to the timeline (env LOADGEN_E2E_SAMPLE)")
	c.MaxFailed = envFloat(getenv, "LOADGEN_MAX_FAILED", 0.01, &errs)
	fs.Float64Var(&c.MaxFailed, "max-failed", c.MaxFailed, "fraction of commands that may fail (refused, timed out) before the run fails (env LOADGEN_MAX_FAILED)")
	b.Duration(&c.CatchUp, "catch-up", "LOADGEN_CATCH_UP", 3*time.Minute, "how long verification waits for the projections to catch up")
	b.Duration(&c.Timeout, "timeout", "LOADGEN_TIMEOUT", 10*time.Second, "how long a request may take before it counts as failed")
	b.Duration(&c.RetryFor, "retry-for", "LOADGEN_RETRY_FOR", time.Minute, "how long a command is sent again, with the same Idempotency-Key, while there is no answer or a 5xx (0: once)")
	b.String(&c.Out, "out", "LOADGEN_OUT", "loadgen-results.json", "JSON results file")
	b.String(&c.Issuer, "issuer", "AUTH_ISSUER", "", "the development token issuer's URL (default: AUTH_ISSUER from -stack-env)")
	b.String(&stackEnv, "stack-env", "CAREWEAVE_STACK_ENV", "var/stack.env", "the stack env file make run writes")
	b.String(&c.Host, "host", "LOADGEN_HOST", "127.0.0.1", "host the services listen on")
	b.Int(&c.BasePort, "base-port", "CAREWEAVE_BASE_PORT", 8081, "careweave-dev's -base-port: "+strings.Join(serviceOrder, ", ")+" follow from it")
	b.Int(&c.SetupWorkers, "setup-workers", "LOADGEN_SETUP_WORKERS", 8, "registrations in flight in the setup phase")
	b.String(&c.LogLevel, "log-level", "LOG_LEVEL", "info", "log level: debug, info, warn or error")
	if err := b.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, usageError{err}
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	c.Seed = int64(seed)
	env, err := stackenv.Read(stackEnv)
	if err != nil && !errors.Is(err, os.ErrNotExist) && c.Issuer == "" {
		errs = append(errs, err)
	}
	if c.Issuer == "" {
		c.Issuer = env["AUTH_ISSUER"]
	}
	if u, err := url.Parse(env["DATABASE_URL"]); err == nil {
		c.DatabasePort, _ = strconv.Atoi(u.Port())
	}
	if u, err := url.Parse(env["NATS_URL"]); err == nil {
		c.NATSPort, _ = strconv.Atoi(u.Port())
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, usageError{err}
	}
	if err := c.Validate(); err != nil {
		return Config{}, usageError{err}
	}
	return c, nil
}

func envFloat(getenv func(string) string, name string, def float64, errs *[]error) float64 {
	v := getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s=%q: want a number", name, v))
		return def
	}
	return f
}
