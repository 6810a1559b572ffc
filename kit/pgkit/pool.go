package pgkit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolConfig says how to open a pool.
type PoolConfig struct {
	URL string
	// MaxConns bounds the pool; 0 keeps pgx's default (max(4, NumCPU)).
	MaxConns int32
	// ApplicationName shows in pg_stat_activity, so operators can tell
	// components apart.
	ApplicationName string
}

// Open opens a pgx pool and checks that the server answers.
func Open(ctx context.Context, cfg PoolConfig) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		// The parse error may echo the password; say only what is wrong.
		return nil, errors.New("parse database url: it must look like postgres://user@host:port/db")
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	if cfg.ApplicationName != "" {
		pc.ConnConfig.RuntimeParams["application_name"] = cfg.ApplicationName
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach database %s:%d: %w", pc.ConnConfig.Host, pc.ConnConfig.Port, err)
	}
	return pool, nil
}

// SQLSTATE codes we act on.
const (
	UniqueViolation      = "23505"
	SerializationFailure = "40001"
)

// IsUniqueViolation reports whether err is a unique-constraint violation and,
// if so, on which constraint.
func IsUniqueViolation(err error) (constraint string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == UniqueViolation {
		return pe.ConstraintName, true
	}
	return "", false
}
