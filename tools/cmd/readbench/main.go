// Command readbench measures the read side (make bench): how fast the
// projector applies events and a rebuild replays them, beside a COPY of the
// same rows; commit-to-timeline lag at a paced rate, beside commit-to-
// JetStream in the same run; and timeline page latency over a large,
// synthetic timeline table, beside the bare SQL query. It prints a Markdown
// report on stdout and progress on stderr, and fails if an event is lost or
// applied twice.
//
// It starts its own embedded NATS server (the sections purge the CARE
// stream, so it never uses a shared one) and its own development token
// issuer (kit/auth, on a loopback port), and works in schemas of its own in
// DATABASE_URL's database, dropped at the end.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
)

var allSections = []string{"project", "lag", "query"}

// Config is what readbench runs with.
type Config struct {
	DatabaseURL string
	Sections    []string
	// Events is how many events the projection and rebuild cases apply.
	Events int
	// RebuildWriters and RebuildBatch tune the rebuild (0: its defaults).
	RebuildWriters, RebuildBatch int
	// LagRate and LagDuration pace the lag case.
	LagRate     int
	LagDuration time.Duration
	// QueryEvents timeline entries across QueryPatients patients are loaded
	// for the query case, which then times QueryRequests pages.
	QueryEvents, QueryPatients, QueryRequests int
	Quick                                     bool
	Command                                   string
	// CPUProfile, when set, is where a Go CPU profile of the run goes.
	CPUProfile string
}

func parseConfig(args []string, getenv func(string) string, errOut io.Writer) (Config, error) {
	fs := flag.NewFlagSet("readbench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	b := config.NewBinder(fs, getenv)
	var c Config
	var sections string
	b.String(&c.DatabaseURL, "database-url", "DATABASE_URL", "", "PostgreSQL database to work in (a durable cluster: make bench)")
	b.String(&sections, "sections", "READBENCH_SECTIONS", strings.Join(allSections, ","), "cases to run, comma-separated")
	b.Int(&c.Events, "events", "READBENCH_EVENTS", 0, "events the projection and rebuild cases apply (default 300000; quick 20000)")
	b.Int(&c.RebuildWriters, "rebuild-writers", "READBENCH_REBUILD_WRITERS", 0, "rebuild writers (0: the rebuild's default)")
	b.Int(&c.RebuildBatch, "rebuild-batch", "READBENCH_REBUILD_BATCH", 0, "rebuild events per transaction (0: the rebuild's default)")
	b.Int(&c.LagRate, "lag-rate", "READBENCH_LAG_RATE", 1000, "events/s appended in the lag case")
	b.Duration(&c.LagDuration, "lag-duration", "READBENCH_LAG_DURATION", 0, "duration of the lag case (default 30s; quick 5s)")
	b.Int(&c.QueryEvents, "query-events", "READBENCH_QUERY_EVENTS", 0, "timeline entries loaded for the query case (default 10000000; quick 200000)")
	b.Int(&c.QueryPatients, "query-patients", "READBENCH_QUERY_PATIENTS", 0, "patients they belong to (default 1000000; quick 20000)")
	b.Int(&c.QueryRequests, "query-requests", "READBENCH_QUERY_REQUESTS", 0, "timeline pages timed (default 20000; quick 2000)")
	fs.BoolVar(&c.Quick, "quick", false, "smoke test: small sizes and short runs")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a Go CPU profile of the run to this file")
	if err := b.Parse(args); err != nil {
		return c, err
	}
	c.Sections = strings.Split(sections, ",")
	def := func(v *int, full, quick int) {
		if *v == 0 {
			*v = full
			if c.Quick {
				*v = quick
			}
		}
	}
	def(&c.Events, 300_000, 20_000)
	def(&c.QueryEvents, 10_000_000, 200_000)
	def(&c.QueryPatients, 1_000_000, 20_000)
	def(&c.QueryRequests, 20_000, 2_000)
	if c.LagDuration == 0 {
		c.LagDuration = 30 * time.Second
		if c.Quick {
			c.LagDuration = 5 * time.Second
		}
	}
	var errs []error
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL is not set: run under `go run ./tools/cmd/testenv -durable -- go run ./tools/cmd/readbench` (make bench)"))
	}
	for _, s := range c.Sections {
		if !slices.Contains(allSections, s) {
			errs = append(errs, fmt.Errorf("unknown section %q: want some of %s", s, strings.Join(allSections, ",")))
		}
	}
	if c.Events < 100 || c.Events > 20_000_000 {
		errs = append(errs, fmt.Errorf("events %d: want 100..20000000", c.Events))
	}
	if c.LagRate < 1 || c.LagRate > 100_000 || c.LagDuration < time.Second || c.LagDuration > time.Hour {
		errs = append(errs, fmt.Errorf("lag rate %d for %v: want 1..100000 events/s for 1s..1h", c.LagRate, c.LagDuration))
	}
	if c.QueryPatients < 1 || c.QueryEvents < c.QueryPatients || c.QueryEvents > 100_000_000 || c.QueryRequests < 10 {
		errs = append(errs, fmt.Errorf("query case %d events over %d patients, %d requests: want at least one event per patient, at most 100000000, and 10 requests",
			c.QueryEvents, c.QueryPatients, c.QueryRequests))
	}
	c.Command = strings.TrimSpace("readbench " + strings.Join(args, " "))
	return c, errors.Join(errs...)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "readbench: %v\n", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "readbench: cpu profile: %v\n", err)
			os.Exit(2)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if err := run(ctx, cfg, os.Stdout, os.Stderr, logger); err != nil {
		logger.Error("readbench failed", "err", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// bench is what the cases share.
type bench struct {
	cfg      Config
	pool     *pgxpool.Pool
	natsURL  string
	nc       *nats.Conn
	js       jetstream.JetStream
	issuer   *devIssuer // whose tokens the components accept
	runID    string
	out      io.Writer // the report
	progress io.Writer
	logger   *slog.Logger
}

func run(ctx context.Context, cfg Config, out, progress io.Writer, logger *slog.Logger) error {
	var id [3]byte
	_, _ = rand.Read(id[:])
	b := &bench{cfg: cfg, runID: "rb_" + hex.EncodeToString(id[:]), out: out, progress: progress, logger: logger}
	var err error
	if b.pool, err = pgkit.Open(ctx, pgkit.PoolConfig{URL: cfg.DatabaseURL, MaxConns: 16, ApplicationName: "readbench"}); err != nil {
		return err
	}
	defer b.pool.Close()
	if b.issuer, err = startIssuer(logger); err != nil {
		return err
	}
	defer func() {
		if err := b.issuer.stop(); err != nil {
			logger.Warn("token issuer did not stop cleanly", "err", err)
		}
	}()
	dir, err := os.MkdirTemp("", "readbench-nats-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ns, err := natsembed.Start(natsembed.Config{StoreDir: dir, ServerName: "readbench", Logger: logger})
	if err != nil {
		return fmt.Errorf("start embedded NATS: %w", err)
	}
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	b.natsURL = ns.ClientURL()
	if b.nc, err = natskit.Connect(ctx, natskit.ConnectConfig{URL: b.natsURL, Name: "readbench"}, logger); err != nil {
		return err
	}
	defer b.nc.Close()
	if b.js, err = jetstream.New(b.nc); err != nil {
		return err
	}
	if err := natskit.Provision(ctx, b.js, natskit.TopologyConfig{}); err != nil {
		return err
	}
	defer b.dropSchemas()

	var pgVersion string
	_ = b.pool.QueryRow(ctx, "SELECT current_setting('server_version')").Scan(&pgVersion)
	fmt.Fprintf(out, "# Read-side benchmark\n\n`%s` on %s, %d CPUs, PostgreSQL %s, embedded NATS; %s.\n\n",
		cfg.Command, hostname(), numCPU(), pgVersion, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	var errs []error
	for _, s := range cfg.Sections {
		var err error
		switch s {
		case "project":
			err = b.projectSection(ctx)
		case "lag":
			err = b.lagSection(ctx)
		case "query":
			err = b.querySection(ctx)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// schema returns the name of one of this run's schemas.
func (b *bench) schema(suffix string) string { return b.runID + "_" + suffix }

// dropSchemas removes every schema this run made, generations included.
func (b *bench) dropSchemas() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := b.pool.Query(ctx, "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", b.runID+"%")
	if err != nil {
		return
	}
	names, _ := pgxCollectStrings(rows)
	for _, n := range names {
		if _, err := b.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+n+" CASCADE"); err != nil {
			b.logger.Warn("could not drop a benchmark schema", "schema", n, "err", err)
		}
	}
}

// resetStream empties the CARE stream and removes the projector's
// consumers, so a case starts from nothing.
func (b *bench) resetStream(ctx context.Context) error {
	st, err := b.js.Stream(ctx, natskit.EventStream)
	if err != nil {
		return err
	}
	if err := st.Purge(ctx); err != nil {
		return fmt.Errorf("purge %s: %w", natskit.EventStream, err)
	}
	for name := range st.ConsumerNames(ctx).Name() {
		if err := st.DeleteConsumer(ctx, name); err != nil {
			return fmt.Errorf("delete consumer %s: %w", name, err)
		}
	}
	return nil
}

// startComponent runs a projections process (projector or query API)
// in-process over control, until the returned stop is called. It accepts
// the tokens of readbench's issuer.
func (b *bench) startComponent(ctx context.Context, name, control string, opts service.Options) (addr string, stop func() error, err error) {
	cfg := service.Config{Name: name, Schema: control, HTTPAddr: "127.0.0.1:0", DatabaseURL: b.cfg.DatabaseURL, NATSURL: b.natsURL,
		StreamReplicas: 1, DuplicateWindow: 10 * time.Minute, ShutdownGrace: 5 * time.Second, Auth: b.issuer.config()}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	started := make(chan string, 1)
	opts.Started = func(a string) { started <- a }
	done := make(chan error, 1)
	go func() { done <- service.Run(runCtx, cfg, opts, b.logger.With("component", name)) }()
	select {
	case addr = <-started:
	case err := <-done:
		cancel()
		return "", nil, fmt.Errorf("start %s: %w", name, err)
	}
	return addr, func() error { cancel(); return <-done }, nil
}

// checkpoint starts a timed run without the previous one's dirty pages.
func (b *bench) checkpoint(ctx context.Context) {
	if _, err := b.pool.Exec(ctx, "CHECKPOINT"); err != nil {
		b.logger.Warn("CHECKPOINT not allowed", "err", err)
	}
}

// status prints a progress line.
func (b *bench) status(format string, args ...any) {
	fmt.Fprintf(b.progress, "[readbench] "+format+"\n", args...)
}

// modelsOf is the schema of the live generation under control.
func (b *bench) modelsOf(ctx context.Context, control string) (string, error) {
	var gen int
	if err := b.pool.QueryRow(ctx, "SELECT generation FROM "+control+".live_generation").Scan(&gen); err != nil {
		return "", fmt.Errorf("live generation of %s: %w", control, err)
	}
	return fmt.Sprintf("%s_g%d", control, gen), nil
}

func (b *bench) count(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	err := b.pool.QueryRow(ctx, sql, args...).Scan(&n)
	return n, err
}
