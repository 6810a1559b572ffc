package service

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
)

// Config is what every service process is told at start-up.
type Config struct {
	Name        string // the service: its schema, relay and NATS connection name
	HTTPAddr    string
	DatabaseURL string
	NATSURL     string
	// NATS are the NATS credentials, TLS settings and inbox prefix
	// (natskit.BindCredentials); its URL and Name come from NATSURL and
	// Name. With credentials, the streams and consumers are an
	// administrator's: the process checks them instead of making them.
	NATS            natskit.ConnectConfig
	Schema          string // defaults to Name
	StreamReplicas  int
	DuplicateWindow time.Duration
	ShutdownGrace   time.Duration
	Logging         config.Logging
	// Auth says whose bearer tokens the API accepts; Client how this
	// process gets its own when it calls another's API.
	Auth   auth.Config
	Client auth.ClientConfig
	// DebugAddr, if set, serves Go's profiler (net/http/pprof) there, on
	// a listener of its own that is never the API's: for finding where
	// CPU goes under load. Loopback only.
	DebugAddr string
	// BreakGlassURL is the query API whose break-glass grants let a person
	// read this service's records without a relationship; empty, none
	// are honoured (kit/breakglass).
	BreakGlassURL string
}

// Bind binds the settings to flags and environment variables.
func (c *Config) Bind(b *config.Binder) {
	b.String(&c.HTTPAddr, "http-addr", "HTTP_ADDR", "127.0.0.1:8080", "HTTP listen address")
	b.String(&c.DatabaseURL, "database-url", "DATABASE_URL", "", "PostgreSQL URL (required)")
	b.String(&c.NATSURL, "nats-url", "NATS_URL", "", "NATS URL (required)")
	b.String(&c.Schema, "schema", "DB_SCHEMA", "", "PostgreSQL schema of this service (default: the service name)")
	b.Int(&c.StreamReplicas, "stream-replicas", "NATS_STREAM_REPLICAS", 1, "JetStream stream replicas: 1 on one server, 3 on a cluster")
	b.Duration(&c.DuplicateWindow, "duplicate-window", "NATS_DUPLICATE_WINDOW", 10*time.Minute, "JetStream duplicate window")
	b.Duration(&c.ShutdownGrace, "shutdown-grace", "SHUTDOWN_GRACE", 20*time.Second, "how long in-flight requests may finish at shutdown")
	b.String(&c.Auth.Issuer, "auth-issuer", "AUTH_ISSUER", "", "the token issuer's iss, e.g. the OpenID provider's URL (required)")
	b.String(&c.Auth.Audience, "auth-audience", "AUTH_AUDIENCE", "careweave", "the aud tokens must be for")
	b.String(&c.Auth.JWKSURL, "auth-jwks-url", "AUTH_JWKS_URL", "", "the issuer's key set (default: <issuer>/.well-known/jwks.json)")
	b.Duration(&c.Auth.Leeway, "auth-leeway", "AUTH_LEEWAY", 30*time.Second, "clock skew tolerated on token times")
	b.String(&c.Client.TokenURL, "auth-token-url", "AUTH_TOKEN_URL", "", "where this process gets its own token (default: <issuer>/token)")
	b.String(&c.Client.ClientID, "auth-client-id", "AUTH_CLIENT_ID", "", "this process's client id (default: careweave-<name>)")
	b.String(&c.Client.ClientSecret, "auth-client-secret", "AUTH_CLIENT_SECRET", "", "this process's client secret")
	b.String(&c.DebugAddr, "debug-addr", "DEBUG_ADDR", "", "serve net/http/pprof on this loopback address (default: off)")
	b.String(&c.BreakGlassURL, "break-glass-url", "BREAK_GLASS_URL", "", "the query API's base URL, whose break-glass grants let a person read this service's records (default: none honoured)")
	c.NATS.BindCredentials(b)
	c.Logging.Bind(b)
}

// Validate checks the settings and fills the defaults that follow from
// others (the schema, the issuer's endpoints, the client id).
func (c *Config) Validate() error {
	if c.Schema == "" {
		c.Schema = c.Name
	}
	c.fillAuthDefaults()
	var errs []error
	if err := c.Auth.Validate(); err != nil {
		errs = append(errs, err)
	} else if err := c.Client.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := pgkit.ValidateSchemaName(c.Schema); err != nil {
		errs = append(errs, err)
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		errs = append(errs, fmt.Errorf("http address %q: want host:port", c.HTTPAddr))
	}
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("database url is required (DATABASE_URL or -database-url)"))
	}
	if c.NATSURL == "" {
		errs = append(errs, errors.New("nats url is required (NATS_URL or -nats-url)"))
	} else if err := c.natsConnect().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("nats: %w", err))
	}
	if c.ShutdownGrace < time.Second || c.ShutdownGrace > 5*time.Minute {
		errs = append(errs, fmt.Errorf("shutdown grace %v: want 1s..5m", c.ShutdownGrace))
	}
	if err := c.topology().Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.DebugAddr != "" {
		if host, _, err := net.SplitHostPort(c.DebugAddr); err != nil || !loopback(host) {
			errs = append(errs, fmt.Errorf("debug address %q: want a loopback host:port (the profiler is not for the network)", c.DebugAddr))
		}
	}
	if c.BreakGlassURL != "" {
		if _, err := breakglass.NewClient(c.BreakGlassURL, time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// fillAuthDefaults derives the issuer's endpoints and the client id.
func (c *Config) fillAuthDefaults() {
	issuer := strings.TrimSuffix(c.Auth.Issuer, "/")
	if c.Auth.JWKSURL == "" && issuer != "" {
		c.Auth.JWKSURL = issuer + "/.well-known/jwks.json"
	}
	if c.Client.TokenURL == "" && issuer != "" {
		c.Client.TokenURL = issuer + "/token"
	}
	if c.Client.ClientID == "" {
		c.Client.ClientID = "careweave-" + c.Name
	}
	c.Client.Audience = c.Auth.Audience
}

// natsConnect is how the process connects to NATS.
func (c *Config) natsConnect() natskit.ConnectConfig {
	nc := c.NATS
	nc.URL, nc.Name = c.NATSURL, "careweave-"+c.Name
	return nc
}

// natsProvisioned reports whether the process signs in to NATS as a user
// of its own (an nkey or a user name): on such a server (kit/natsauth) an
// administrator provisions the streams and consumers, which the process
// may only check and use.
func (c *Config) natsProvisioned() bool {
	return c.NATS.NKeySeedFile != "" || c.NATS.User != ""
}

func (c *Config) topology() natskit.TopologyConfig {
	return natskit.TopologyConfig{Replicas: c.StreamReplicas, DuplicateWindow: c.DuplicateWindow}
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
