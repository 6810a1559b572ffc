package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/careweave/careweave/kit/natskit"
)

const (
	defaultNATSPort      = 14222
	defaultIssuerPort    = 8079
	defaultBasePort      = 8081
	defaultStopTimeout   = 15 * time.Second
	defaultHealthTimeout = 60 * time.Second
)

// StackEnvFile, in the data directory, holds DATABASE_URL, NATS_URL,
// AUTH_ISSUER, NATS_CA_FILE and NATS_SEEDS_DIR of the running stack, for
// carectl.
const StackEnvFile = "stack.env"

// Under the data directory: the NATS users' nkey seeds, and the
// development CA and server certificate of the embedded NATS.
const (
	natsSeedsDir = "nats-auth"
	natsTLSDir   = "nats-tls"
)

// Config is what careweave-dev runs with.
type Config struct {
	// RepoRoot is the repository root, holding go.work, services/ and
	// projections/. Default: the nearest directory at or above the working
	// directory that holds go.work.
	RepoRoot string
	// DataDir holds the PostgreSQL cluster (postgres/), the JetStream store
	// (nats/), the NATS users' seeds (nats-auth/) and the development CA
	// (nats-tls/), the token issuer's key (issuer.pem) and the built
	// commands (bin/). Default <RepoRoot>/var.
	DataDir string
	// DirectoryFile is the directory of teams and clinicians the services
	// load (DIRECTORY_FILE); empty, the embedded demo. The NATS users are
	// made from it.
	DirectoryFile string
	// NATSURL names an external NATS server to use instead of the embedded one.
	NATSURL string
	// NATS says how to sign in to the external NATS server: with a
	// SeedsDir (a directory of seeds as tools/cmd/natsconfig makes),
	// careweave-dev signs in as its administrator and every child as its
	// own user. Unused with the embedded server, which has its own.
	NATS ExternalNATS
	// Topology is what the streams are provisioned with
	// (NATS_STREAM_REPLICAS, NATS_DUPLICATE_WINDOW, as the children read
	// them).
	Topology natskit.TopologyConfig
	// NATSPort is the embedded NATS server's client port; 0 picks one.
	NATSPort int
	// DatabaseURL names an external PostgreSQL database to use instead of the
	// private cluster.
	DatabaseURL string
	// IssuerPort is the development token issuer's port on 127.0.0.1; 0
	// picks one.
	IssuerPort int
	// BasePort is the HTTP port of the first service in port order (see
	// portOrder); the others get the ports after it.
	BasePort int
	// StopTimeout is how long children get to exit after SIGTERM before they
	// are killed.
	StopTimeout time.Duration
	// HealthTimeout is how long to wait for every service's /healthz to
	// answer 200 before reporting the stack ready anyway, with a warning.
	HealthTimeout time.Duration
	// LogLevel is the level of careweave-dev's own logs; the embedded NATS
	// server logs only warnings and errors unless it is Debug.
	LogLevel slog.Level

	// Output receives the children's prefixed output and the ready summary.
	// Default os.Stdout.
	Output io.Writer
	// Seed registers synthetic demo patients and starts some care once
	// the services are up (once per data directory).
	Seed bool
	// Restart starts a child that exits again, as an orchestrator's
	// restart policy would, instead of stopping the stack (the crash
	// test kills them on purpose).
	Restart bool
	// DebugBasePort, if not 0, gives every child Go's profiler on
	// 127.0.0.1 (DEBUG_ADDR), in port order from it like BasePort.
	DebugBasePort int
	// OnReady, when set, is called once everything has started.
	OnReady func(Ready)
}

// ExternalNATS is how processes sign in to an external NATS server.
type ExternalNATS struct {
	// SeedsDir holds a seed per user (natsauth.SeedFile): careweave-dev
	// uses the administrator's, each child its own.
	SeedsDir string
	// CAFile, CertFile and KeyFile are the TLS settings every process uses.
	CAFile, CertFile, KeyFile string
}

// Ready describes a started stack.
type Ready struct {
	// NATSURL is the URL clients and services connect to NATS with.
	NATSURL string
	// NATSCAFile is the CA the NATS server's certificate chains to, and
	// NATSSeedsDir the directory of every NATS user's seed
	// (natsauth.SeedFile); both empty when NATS wants neither.
	NATSCAFile, NATSSeedsDir string
	// DatabaseURL is the URL services connect to PostgreSQL with.
	DatabaseURL string
	// IssuerURL is the development token issuer's URL, its iss and the
	// services' AUTH_ISSUER: POST <IssuerURL>/token mints a token.
	IssuerURL string
	// Services lists the running services in name order.
	Services []Endpoint
}

// Endpoint is a running service and its HTTP base URL.
type Endpoint struct {
	Name string
	URL  string
}

func (c *Config) setDefaults() {
	if c.DataDir == "" && c.RepoRoot != "" {
		c.DataDir = filepath.Join(c.RepoRoot, "var")
	}
	if c.StopTimeout == 0 {
		c.StopTimeout = defaultStopTimeout
	}
	if c.HealthTimeout == 0 {
		c.HealthTimeout = defaultHealthTimeout
	}
	c.Topology.Defaults()
	if c.Output == nil {
		c.Output = os.Stdout
	}
}

// Validate reports whether careweave-dev can run with c.
func (c Config) Validate() error {
	var errs []error
	if c.RepoRoot == "" {
		errs = append(errs, errors.New("repository root is required (-repo-root)"))
	} else if fi, err := os.Stat(c.RepoRoot); err != nil || !fi.IsDir() {
		errs = append(errs, fmt.Errorf("repository root %s is not a directory", c.RepoRoot))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data directory is required (-data-dir)"))
	}
	if c.NATSPort < 0 || c.NATSPort > 65535 {
		errs = append(errs, fmt.Errorf("NATS port %d is out of range: use 1-65535, or 0 for a random port", c.NATSPort))
	}
	if c.IssuerPort < 0 || c.IssuerPort > 65535 {
		errs = append(errs, fmt.Errorf("issuer port %d is out of range: use 1-65535, or 0 for a random port", c.IssuerPort))
	}
	if c.BasePort < 1 || c.BasePort > 65535 {
		errs = append(errs, fmt.Errorf("base port %d is out of range 1-65535", c.BasePort))
	}
	if c.DebugBasePort < 0 || c.DebugBasePort > 65535 {
		errs = append(errs, fmt.Errorf("debug base port %d is out of range: use 1-65535, or 0 for no profiler", c.DebugBasePort))
	}
	if c.StopTimeout <= 0 {
		errs = append(errs, fmt.Errorf("stop timeout %s must be positive", c.StopTimeout))
	}
	if c.HealthTimeout <= 0 {
		errs = append(errs, fmt.Errorf("health timeout %s must be positive", c.HealthTimeout))
	}
	if err := c.Topology.Validate(); err != nil {
		errs = append(errs, err)
	}
	if (c.NATS.CertFile == "") != (c.NATS.KeyFile == "") {
		errs = append(errs, errors.New("a NATS client certificate needs both -nats-cert-file and -nats-key-file"))
	}
	return errors.Join(errs...)
}

// parseConfig builds a Config from command-line flags, falling back to
// environment variables and then to defaults. wd is the working directory,
// from which the repository root is found.
func parseConfig(args []string, getenv func(string) string, wd string, errOut io.Writer) (Config, error) {
	fs := flag.NewFlagSet("careweave-dev", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "Usage: careweave-dev [flags]\n\nRuns NATS, PostgreSQL, a development token issuer and every service under services/*/cmd/* and projections/*/cmd/*.\n"+
			"The embedded NATS wants TLS and a user per component (seeds in <data-dir>/nats-auth, CA in <data-dir>/nats-tls).\n"+
			"NATS_URL and DATABASE_URL, when set, name external servers to use instead of the embedded ones.\n\nFlags:\n")
		fs.PrintDefaults()
	}

	var cfg Config
	var errs []error
	envInt := func(name string, def int) int {
		v := getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("environment variable %s=%q is not a number", name, v))
			return def
		}
		return n
	}
	cfg.Topology = natskit.TopologyConfig{Replicas: envInt("NATS_STREAM_REPLICAS", 1), DuplicateWindow: 10 * time.Minute}
	if v := getenv("NATS_DUPLICATE_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("environment variable NATS_DUPLICATE_WINDOW=%q is not a duration", v))
		}
		cfg.Topology.DuplicateWindow = d
	}
	logLevel := slog.LevelInfo
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := logLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("environment variable LOG_LEVEL=%q is not a log level (debug, info, warn, error)", v))
		}
	}

	fs.StringVar(&cfg.RepoRoot, "repo-root", getenv("CAREWEAVE_REPO_ROOT"), "repository root (env CAREWEAVE_REPO_ROOT; default: nearest directory holding go.work)")
	fs.StringVar(&cfg.DataDir, "data-dir", getenv("CAREWEAVE_DATA_DIR"), "directory for PostgreSQL data, the NATS store, the issuer's key and built commands (env CAREWEAVE_DATA_DIR; default <repo-root>/var)")
	fs.StringVar(&cfg.DirectoryFile, "directory", getenv("DIRECTORY_FILE"), "directory of teams and clinicians for the services and the NATS users (env DIRECTORY_FILE; default the embedded demo)")
	fs.StringVar(&cfg.NATSURL, "nats-url", getenv("NATS_URL"), "use this NATS server instead of the embedded one (env NATS_URL)")
	fs.StringVar(&cfg.NATS.SeedsDir, "nats-seeds", getenv("NATS_SEEDS_DIR"), "with -nats-url: the users' nkey seeds (natsconfig -seeds); careweave-dev signs in as admin, each service as itself (env NATS_SEEDS_DIR)")
	fs.StringVar(&cfg.NATS.CAFile, "nats-ca-file", getenv("NATS_CA_FILE"), "with -nats-url: the CA of the server's certificate, turning TLS on (env NATS_CA_FILE)")
	fs.StringVar(&cfg.NATS.CertFile, "nats-cert-file", getenv("NATS_CERT_FILE"), "with -nats-url: a client certificate for a server that verifies clients (env NATS_CERT_FILE)")
	fs.StringVar(&cfg.NATS.KeyFile, "nats-key-file", getenv("NATS_KEY_FILE"), "with -nats-url: the client certificate's key (env NATS_KEY_FILE)")
	fs.IntVar(&cfg.NATSPort, "nats-port", envInt("CAREWEAVE_NATS_PORT", defaultNATSPort), "client port of the embedded NATS server, 0 for a random port (env CAREWEAVE_NATS_PORT)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", getenv("DATABASE_URL"), "use this PostgreSQL database instead of the private cluster (env DATABASE_URL)")
	fs.IntVar(&cfg.IssuerPort, "issuer-port", envInt("CAREWEAVE_ISSUER_PORT", defaultIssuerPort), "port of the development token issuer on 127.0.0.1, 0 for a random port (env CAREWEAVE_ISSUER_PORT)")
	fs.IntVar(&cfg.BasePort, "base-port", envInt("CAREWEAVE_BASE_PORT", defaultBasePort), "HTTP port of the first service; the others follow (carehomes, discharge, homevisits, medreviews, patients, projector, query, then any other by name) (env CAREWEAVE_BASE_PORT)")
	fs.IntVar(&cfg.DebugBasePort, "debug-base-port", envInt("CAREWEAVE_DEBUG_BASE_PORT", 0), "serve Go's profiler (/debug/pprof) of every service on 127.0.0.1 from this port, in -base-port's order; 0: off (env CAREWEAVE_DEBUG_BASE_PORT)")
	fs.BoolVar(&cfg.Seed, "seed", true, "register synthetic demo patients and start some care on the first run")
	fs.BoolVar(&cfg.Restart, "restart", false, "restart a service that exits (as an orchestrator would) instead of stopping the stack")
	fs.DurationVar(&cfg.StopTimeout, "stop-timeout", defaultStopTimeout, "how long services get to exit after SIGTERM before they are killed")
	fs.DurationVar(&cfg.HealthTimeout, "health-timeout", defaultHealthTimeout, "how long to wait for services to answer /healthz")
	fs.TextVar(&cfg.LogLevel, "log-level", logLevel, "log level: debug, info, warn or error (env LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}

	if cfg.RepoRoot == "" {
		root, err := findRepoRoot(wd)
		if err != nil {
			return Config{}, err
		}
		cfg.RepoRoot = root
	}
	var err error
	if cfg.RepoRoot, err = filepath.Abs(cfg.RepoRoot); err != nil {
		return Config{}, fmt.Errorf("resolve repository root: %w", err)
	}
	if cfg.DataDir != "" {
		if cfg.DataDir, err = filepath.Abs(cfg.DataDir); err != nil {
			return Config{}, fmt.Errorf("resolve data directory: %w", err)
		}
	}
	// The children get the same directory file, wherever they run.
	if cfg.DirectoryFile != "" {
		if cfg.DirectoryFile, err = filepath.Abs(cfg.DirectoryFile); err != nil {
			return Config{}, fmt.Errorf("resolve directory file: %w", err)
		}
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// findRepoRoot returns the nearest directory at or above dir holding go.work.
func findRepoRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if d == filepath.Dir(d) {
			return "", fmt.Errorf("no go.work found in %s or above it: run careweave-dev from inside the repository or pass -repo-root", dir)
		}
	}
}
