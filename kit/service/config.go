package service

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
)

// Config is what every service process is told at start-up.
type Config struct {
	Name            string // the service: its schema, relay and NATS connection name
	HTTPAddr        string
	DatabaseURL     string
	NATSURL         string
	Schema          string // defaults to Name
	StreamReplicas  int
	DuplicateWindow time.Duration
	ShutdownGrace   time.Duration
	Logging         config.Logging
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
	c.Logging.Bind(b)
}

// Validate checks the settings and fills the schema default.
func (c *Config) Validate() error {
	if c.Schema == "" {
		c.Schema = c.Name
	}
	var errs []error
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
	}
	if c.ShutdownGrace < time.Second || c.ShutdownGrace > 5*time.Minute {
		errs = append(errs, fmt.Errorf("shutdown grace %v: want 1s..5m", c.ShutdownGrace))
	}
	if err := c.topology().Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (c *Config) topology() natskit.TopologyConfig {
	return natskit.TopologyConfig{Replicas: c.StreamReplicas, DuplicateWindow: c.DuplicateWindow}
}
