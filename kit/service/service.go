package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/relay"
)

// Deps are the connections a service's own code is built from.
type Deps struct {
	Schema  string // the service's PostgreSQL schema
	Pool    *pgxpool.Pool
	NATS    *nats.Conn
	JS      jetstream.JetStream
	Store   *eventstore.Store
	Logger  *slog.Logger
	Metrics prometheus.Registerer
	Now     func() time.Time
	// ConsumersProvisioned says the process signs in to NATS as a user
	// of its own, which may not create consumers: an administrator has
	// made them, and its consumers only bind to them
	// (consumer.Config.Existing).
	ConsumersProvisioned bool
	// BreakGlass asks the query API about break-glass grants
	// (Config.BreakGlassURL); nil when none are honoured.
	BreakGlass breakglass.Checker
}

// Options are what a service adds to the shared runtime.
type Options struct {
	// Migrations are the service's own (read models, idempotency keys),
	// applied after the event store's in the same schema.
	Migrations []pgkit.Migrations
	// Prepare, if set, runs once after the migrations and before serving
	// (setting up what migrations cannot, such as a read model's live
	// generation); an error from it stops the start.
	Prepare func(ctx context.Context, d Deps) error
	// Routes registers the service's /v1 API.
	Routes func(r *httpkit.Router, d Deps) error
	// OpenAPI is the service's OpenAPI 3.1 document, served at /openapi.json.
	OpenAPI []byte
	// Started, if set, is called with the bound HTTP address once serving.
	Started func(addr string)
	// ReadSide marks a component with no event log of its own (a
	// projection worker, a query API): no event store, no relay.
	ReadSide bool
	// Background, if set, runs beside the HTTP server until ctx ends (a
	// projection worker's consumers); an error from it stops the process.
	Background func(ctx context.Context, d Deps) error
}

// Run runs the service until ctx ends, then shuts down gracefully: the HTTP
// server stops accepting and finishes in-flight requests, then the relay
// stops, then the connections close.
func Run(ctx context.Context, cfg Config, opts Options, logger *slog.Logger) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	logger = logger.With("service", cfg.Name)

	verifier, err := auth.NewVerifier(ctx, cfg.Auth, logger)
	if err != nil {
		return err
	}

	pool, err := pgkit.Open(ctx, pgkit.PoolConfig{URL: cfg.DatabaseURL, ApplicationName: "careweave-" + cfg.Name})
	if err != nil {
		return err
	}
	defer pool.Close()
	migrations := opts.Migrations
	if !opts.ReadSide {
		migrations = append([]pgkit.Migrations{eventstore.Migrations()}, opts.Migrations...)
	}
	if err := pgkit.Migrate(ctx, pool, cfg.Schema, migrations...); err != nil {
		return err
	}
	store, err := eventstore.New(pool, cfg.Schema)
	if err != nil {
		return err
	}

	nc, js, err := connectNATS(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer nc.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var rel *relay.Relay
	if !opts.ReadSide {
		if rel, err = relay.New(store, nc, relay.Config{Name: cfg.Name, Registerer: reg}, logger); err != nil {
			return err
		}
	}
	relayStatus := func() relay.Status { return relay.Status{} }
	if rel != nil {
		relayStatus = rel.Status
	}

	mux := httpkit.NewRouter()
	deps := Deps{Schema: cfg.Schema, Pool: pool, NATS: nc, JS: js, Store: store, Logger: logger, Metrics: reg, Now: time.Now,
		ConsumersProvisioned: cfg.natsProvisioned()}
	if cfg.BreakGlassURL != "" {
		bg, err := breakglass.NewClient(cfg.BreakGlassURL, 2*time.Second)
		if err != nil {
			return err
		}
		deps.BreakGlass = bg
	}
	health := httpkit.NewHealth(map[string]httpkit.Check{
		"postgres": func(ctx context.Context) error { return pool.Ping(ctx) },
		"migrations": func(ctx context.Context) error {
			n, err := pgkit.Pending(ctx, pool, cfg.Schema, migrations...)
			if err == nil && n > 0 {
				err = fmt.Errorf("%d migrations pending", n)
			}
			return err
		},
		"nats": func(context.Context) error {
			if !nc.IsConnected() {
				return errors.New("not connected")
			}
			return nil
		},
	}, 2*time.Second)
	if opts.Prepare != nil {
		if err := opts.Prepare(ctx, deps); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
	}
	if err := register(mux, opts, deps, health, relayStatus, reg); err != nil {
		return err
	}

	if cfg.DebugAddr != "" {
		go serveDebug(ctx, cfg.DebugAddr, logger)
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	if opts.Started != nil {
		opts.Started(ln.Addr().String())
	}

	// A relay that cannot go on stops the service, so an orchestrator
	// restarts it rather than leaving an API whose events go nowhere.
	serveCtx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	bgErrs := make(chan error, 2)
	background := func(name string, run func(context.Context) error) {
		wg.Go(func() {
			if err := run(bgCtx); err != nil {
				logger.Error("background work stopped", "component", name, "err", err)
				stopServing()
				bgErrs <- err
			}
		})
	}
	if rel != nil {
		background("relay", rel.Run)
	}
	if opts.Background != nil {
		background("worker", func(ctx context.Context) error { return opts.Background(ctx, deps) })
	}

	serveErr := httpkit.Serve(serveCtx, ln, httpkit.Middleware(logger, time.Now)(verifier.Middleware(mux)), cfg.ShutdownGrace, logger)
	// In-flight requests have finished: their events are committed, and the
	// relay (or the next one to lead) publishes them.
	stopBackground()
	wg.Wait()
	close(bgErrs)
	errs := []error{serveErr}
	for err := range bgErrs {
		errs = append(errs, err)
	}
	logger.Info("service stopped")
	return errors.Join(errs...)
}

// connectNATS connects with the process's credentials and makes sure the
// streams are as the topology wants them: it provisions them itself, unless
// it signs in as a user of its own, whose permissions let it only read
// them (an administrator provisions them; natskit.Check says what differs).
func connectNATS(ctx context.Context, cfg Config, logger *slog.Logger) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := natskit.Connect(ctx, cfg.natsConnect(), logger)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	ensure := natskit.Provision
	if cfg.natsProvisioned() {
		ensure = natskit.Check
	}
	if err := ensure(ctx, js, cfg.topology()); err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// register puts every route on mux: the service's own and the shared
// operational ones.
func register(mux *httpkit.Router, opts Options, deps Deps, health *httpkit.Health, relayStatus func() relay.Status, reg *prometheus.Registry) error {
	if opts.Routes != nil {
		if err := opts.Routes(mux, deps); err != nil {
			return fmt.Errorf("register routes: %w", err)
		}
	}
	health.Register(mux)
	mux.HandleFunc("GET /relayz", func(w http.ResponseWriter, _ *http.Request) {
		st := relayStatus()
		httpkit.WriteJSON(w, http.StatusOK, map[string]any{
			"leader": st.Leader, "published": st.Published, "duplicates": st.Duplicates,
			"lagMs": st.Lag.Milliseconds(), "position": st.Position, "lastError": st.LastError, "lastErrorAt": st.LastErrorAt,
		})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if opts.OpenAPI != nil {
		mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(opts.OpenAPI)
		})
	}
	return nil
}

// RouteTable returns every route a service with opts serves, for the test
// that holds the OpenAPI document to the server.
func RouteTable(opts Options) ([]string, error) {
	mux := httpkit.NewRouter()
	// A store that is never used: routes may be built around one.
	store, err := eventstore.New(nil, "route_table")
	if err != nil {
		return nil, err
	}
	err = register(mux, opts, Deps{Schema: "route_table", Store: store, Logger: slog.New(slog.DiscardHandler), Now: time.Now}, httpkit.NewHealth(nil, time.Second),
		func() relay.Status { return relay.Status{} }, prometheus.NewRegistry())
	return mux.Routes(), err
}
