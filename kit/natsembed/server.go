package natsembed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/careweave/careweave/kit/natsauth"
)

// ErrPortInUse is returned by [Start] when the configured port is taken by
// another process.
var ErrPortInUse = errors.New("NATS port already in use")

// readyPoll is how often Start checks for readiness and fatal errors.
const readyPoll = 50 * time.Millisecond

// Start starts an embedded NATS server with JetStream and returns it once it
// accepts client connections; its ClientURL method says where. The caller
// stops it with Shutdown followed by WaitForShutdown.
func Start(cfg Config) (*server.Server, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid natsembed config: %w", err)
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	if cfg.Port < 0 {
		addr = cfg.Host + " (random port)"
	}
	if cfg.Port > 0 {
		// The server reports a taken port only through its logger; checking
		// first gives a clear error at once in the common case.
		if err := checkPortFree(addr); err != nil {
			return nil, err
		}
	}

	opts := &server.Options{
		ServerName:             cfg.ServerName,
		Host:                   cfg.Host,
		Port:                   cfg.Port,
		JetStream:              true,
		StoreDir:               cfg.StoreDir,
		NoSigs:                 true,
		DisableJetStreamBanner: true,
	}
	if err := secure(opts, cfg); err != nil {
		return nil, err
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("create nats server: %w", err)
	}
	adapter := newSlogAdapter(cfg.Logger)
	ctx := context.Background()
	ns.SetLoggerV2(adapter, cfg.Logger.Enabled(ctx, slog.LevelDebug), cfg.Logger.Enabled(ctx, levelTrace), false)

	go ns.Start()

	deadline := time.Now().Add(cfg.ReadyTimeout)
	for !ns.ReadyForConnections(readyPoll) {
		select {
		case msg := <-adapter.fatal:
			shutdown(ns)
			return nil, startError(addr, msg)
		default:
		}
		if time.Now().After(deadline) {
			shutdown(ns)
			return nil, fmt.Errorf("start nats server on %s: not ready for connections after %s", addr, cfg.ReadyTimeout)
		}
	}
	select {
	case msg := <-adapter.fatal:
		shutdown(ns)
		return nil, startError(addr, msg)
	default:
	}
	if !ns.JetStreamEnabled() {
		shutdown(ns)
		return nil, fmt.Errorf("start nats server on %s: JetStream is not enabled (store directory %s)", addr, cfg.StoreDir)
	}
	cfg.Logger.Info("nats server started", slog.String("url", ns.ClientURL()), slog.String("store_dir", cfg.StoreDir),
		slog.Int("users", len(cfg.Users)), slog.Bool("tls", cfg.TLS != nil))
	return ns, nil
}

// secure adds the users and TLS the config asks for.
func secure(opts *server.Options, cfg Config) error {
	if len(cfg.Users) > 0 {
		if err := natsauth.Apply(opts, cfg.Users); err != nil {
			return err
		}
	}
	if cfg.TLS == nil {
		return nil
	}
	tc, err := server.GenTLSConfig(&server.TLSConfigOpts{
		CertFile: cfg.TLS.CertFile,
		KeyFile:  cfg.TLS.KeyFile,
		CaFile:   cfg.TLS.CAFile,
		Verify:   cfg.TLS.VerifyClients,
	})
	if err != nil {
		return fmt.Errorf("nats server tls: %w", err)
	}
	opts.TLSConfig = tc
	opts.TLSVerify = cfg.TLS.VerifyClients
	opts.TLSTimeout = 2 // seconds, as nats-server counts them
	return nil
}

func checkPortFree(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%w: %s is taken by another process", ErrPortInUse, addr)
		}
		return fmt.Errorf("check nats port %s: %w", addr, err)
	}
	if err := l.Close(); err != nil {
		return fmt.Errorf("check nats port %s: %w", addr, err)
	}
	return nil
}

func startError(addr, fatal string) error {
	if strings.Contains(fatal, "address already in use") {
		return fmt.Errorf("%w: %s is taken by another process", ErrPortInUse, addr)
	}
	return fmt.Errorf("start nats server on %s: %s", addr, fatal)
}

func shutdown(ns *server.Server) {
	ns.Shutdown()
	ns.WaitForShutdown()
}
