package pgcluster

import (
	"errors"
	"fmt"
	"log/slog"
)

// Config says where and how to run a private PostgreSQL cluster.
type Config struct {
	// Dir is the cluster's data directory. It is created when missing and
	// initialised with initdb when it holds no cluster yet (no PG_VERSION);
	// an existing cluster is started as it is, keeping its data. Required.
	Dir string
	// Port is the TCP port the server listens on, on 127.0.0.1 only. 0 picks
	// a free port.
	Port int
	// Durable keeps PostgreSQL's full durability (fsync, synchronous commit,
	// full-page writes), as benchmarks and the dev stack need. When false the
	// server runs with fsync=off, synchronous_commit=off and
	// full_page_writes=off: much faster, but a crash of the machine can corrupt
	// the cluster, so use it only for throwaway test clusters.
	Durable bool
	// Logger receives the cluster's progress. Nil discards it.
	Logger *slog.Logger
	// BinDir is the directory holding initdb, pg_ctl and postgres. Empty means
	// discover it: the highest version under /usr/lib/postgresql/*/bin, then
	// `pg_config --bindir`, then PATH.
	BinDir string
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports whether the config can be used to start a cluster.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("data directory (Dir) is required"))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d is out of range: use 1-65535, or 0 for a free port", c.Port))
	}
	return errors.Join(errs...)
}
