package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/relay"
)

// cleanupTimeout bounds dropping schemas and streams, which runs even after
// ctx is cancelled.
const cleanupTimeout = 30 * time.Second

// bench is what every measurement shares.
type bench struct {
	cfg    Config
	logger *slog.Logger
	pool   *pgxpool.Pool
	// natsURL is the server every connection goes to; natsOrigin says
	// whether writebench started it.
	natsURL, natsOrigin string
	nc                  *nats.Conn
	js                  jetstream.JetStream
	// runID prefixes every schema and stream this run creates.
	runID string
	probe *usageProbe
	// checkpoint is false once CHECKPOINT turned out not to be allowed.
	checkpoint bool
}

// results is everything measured; a section that did not run is nil.
type results struct {
	append  []appendResult
	publish []publishResult
	lag     *lagResult
}

// run measures the sections cfg selects and writes the Markdown report to
// stdout as each completes. Missed targets are reported, not returned as
// errors; lost or duplicated events are errors.
func run(ctx context.Context, cfg Config, stdout io.Writer, logger *slog.Logger) (err error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return fmt.Errorf("create cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("start cpu profile: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			if cerr := f.Close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("write cpu profile: %w", cerr))
			}
		}()
	}

	b, closeBench, err := newBench(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeBench()

	rep := &report{w: stdout, cfg: cfg}
	rep.header(gatherFacts(ctx, b))

	var res results
	if cfg.runs(sectionAppend) {
		if res.append, err = b.appendSection(ctx); err != nil {
			return fmt.Errorf("append throughput: %w", err)
		}
		rep.appendSection(res.append)
	}
	if cfg.runs(sectionPublish) {
		if res.publish, err = b.publishSection(ctx); err != nil {
			return fmt.Errorf("publication throughput: %w", err)
		}
		rep.publishSection(res.publish)
	}
	if cfg.runs(sectionLag) {
		if res.lag, err = b.lagSection(ctx); err != nil {
			return fmt.Errorf("commit-to-JetStream lag: %w", err)
		}
		rep.lagSection(res.lag)
	}
	rep.targets(res)
	if rep.err != nil {
		return fmt.Errorf("write report: %w", rep.err)
	}
	return res.correctnessError()
}

// correctnessError reports lost or duplicated events: a benchmark that
// loses events has found a bug, whatever its speed.
func (r results) correctnessError() error {
	var errs []error
	for _, p := range r.publish {
		if p.ours.stored != int64(p.events) {
			errs = append(errs, fmt.Errorf("relay stored %d %s events in JetStream, want %d", p.ours.stored, p.shape.name, p.events))
		}
	}
	if r.lag != nil {
		for _, run := range []*lagRun{&r.lag.ours, &r.lag.base} {
			if run.missing > 0 || run.duplicated > 0 || run.foreign > 0 {
				errs = append(errs, fmt.Errorf("%s: %d missing, %d duplicated, %d unexpected events", run.name, run.missing, run.duplicated, run.foreign))
			}
		}
	}
	return errors.Join(errs...)
}

// newBench opens the pool, starts or reaches NATS and provisions the
// topology. The returned func releases everything.
func newBench(ctx context.Context, cfg Config, logger *slog.Logger) (_ *bench, closeAll func(), err error) {
	var closers []func()
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()

	var id [3]byte
	_, _ = rand.Read(id[:])
	b := &bench{cfg: cfg, logger: logger, runID: "lg_" + hex.EncodeToString(id[:]), checkpoint: true}

	conns := max(maxOf(cfg.Writers), cfg.LagWriters, preloadWriters) + 4 // + relay lock, relay queries, probes
	b.pool, err = pgkit.Open(ctx, pgkit.PoolConfig{URL: cfg.DatabaseURL, MaxConns: int32(conns), ApplicationName: "writebench"})
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, b.pool.Close)
	b.probe = newUsageProbe(ctx, b.pool)

	b.natsURL, b.natsOrigin = cfg.NATSURL, "external, from NATS_URL"
	if b.natsURL == "" {
		dir, err := os.MkdirTemp("", "writebench-nats-")
		if err != nil {
			return nil, nil, fmt.Errorf("create JetStream store directory: %w", err)
		}
		closers = append(closers, func() { _ = os.RemoveAll(dir) })
		ns, err := natsembed.Start(natsembed.Config{StoreDir: dir, ServerName: "writebench", Logger: logger.With(slog.String("component", "nats"))})
		if err != nil {
			return nil, nil, fmt.Errorf("start embedded NATS: %w", err)
		}
		closers = append(closers, func() {
			ns.Shutdown()
			ns.WaitForShutdown()
		})
		b.natsURL, b.natsOrigin = ns.ClientURL(), "embedded in writebench, JetStream store in "+dir
	}
	if b.nc, err = b.connect(ctx, "writebench"); err != nil {
		return nil, nil, err
	}
	closers = append(closers, b.nc.Close)
	if b.js, err = jetstream.New(b.nc); err != nil {
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	if err := natskit.Provision(ctx, b.js, natskit.TopologyConfig{}); err != nil {
		return nil, nil, err
	}
	return b, closeAll, nil
}

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// connect opens a NATS connection of its own, so publishers and
// subscribers do not share one socket.
func (b *bench) connect(ctx context.Context, name string) (*nats.Conn, error) {
	connectCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// natskit logs every disconnect, including our own Close at the end of
	// each measurement; only a disconnect with an error is news here.
	quiet := nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
		if err != nil {
			b.logger.Warn("nats disconnected", slog.String("connection", name), slog.Any("error", err))
		}
	})
	return natskit.Connect(connectCtx, natskit.ConnectConfig{URL: b.natsURL, Name: name, Options: []nats.Option{quiet}}, b.logger)
}

// relayConfig is the relay as services run it, unless overridden by flags.
func (b *bench) relayConfig() relay.Config {
	return relay.Config{Name: "writebench", BatchSize: b.cfg.RelayBatch, PollInterval: b.cfg.RelayPoll}
}

// schema returns the name of a schema of this run.
func (b *bench) schema(suffix string) string { return b.runID + "_" + suffix }

// dropSchemas removes schemas, even after ctx was cancelled.
func (b *bench) dropSchemas(ctx context.Context, schemas ...string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for _, s := range schemas {
		if _, err := b.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+s+" CASCADE"); err != nil {
			b.logger.Warn("could not drop benchmark schema", slog.String("schema", s), slog.Any("error", err))
		}
	}
}

// benchStream creates a stream configured like CARE but with its own name
// and subjects, and returns its name, its subject prefix and a func deleting
// it.
func (b *bench) benchStream(ctx context.Context, suffix string) (name, prefix string, remove func(), err error) {
	name = strings.ToUpper(b.runID + "_" + suffix)
	prefix = "writebench." + b.runID + "." + suffix + "."
	sc := natskit.EventStreamConfig(topology())
	sc.Name, sc.Subjects = name, []string{prefix + ">"}
	sc.Description = "writebench baseline: a copy of the CARE stream's configuration"
	if _, err := b.js.CreateStream(ctx, sc); err != nil {
		return "", "", nil, fmt.Errorf("create baseline stream %s: %w", name, err)
	}
	return name, prefix, func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if err := b.js.DeleteStream(ctx, name); err != nil {
			b.logger.Warn("could not delete baseline stream", slog.String("stream", name), slog.Any("error", err))
		}
	}, nil
}

// topology is what natskit.Provision gives the CARE stream.
func topology() natskit.TopologyConfig {
	var t natskit.TopologyConfig
	t.Defaults()
	return t
}

// streamMessages returns how many messages a stream holds.
func (b *bench) streamMessages(ctx context.Context, name string) (int64, error) {
	st, err := b.js.Stream(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("find stream %s: %w", name, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream %s info: %w", name, err)
	}
	return int64(info.State.Msgs), nil
}

// settle starts a timed run from the same place each time: a checkpoint, so
// no run pays for flushing the previous one's dirty pages.
func (b *bench) settle(ctx context.Context) {
	if !b.checkpoint {
		return
	}
	if _, err := b.pool.Exec(ctx, "CHECKPOINT"); err != nil {
		b.logger.Warn("CHECKPOINT not allowed; runs may pay for each other's checkpoints", slog.Any("error", err))
		b.checkpoint = false
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
