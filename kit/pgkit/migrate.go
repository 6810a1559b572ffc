package pgkit

import (
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

// Migrations is one embedded set of numbered tern migrations
// (001_xxx.sql, 002_yyy.sql, ...) applied into a schema. Inside the SQL,
// {{.schema}} is the quoted schema name. Several sets can share a schema;
// each keeps its own version table, <schema>.<Name>_migrations.
type Migrations struct {
	Name string
	FS   fs.FS
}

// Migrate creates schema if needed and applies each set in order. A
// session advisory lock keyed by the schema serialises concurrent starters,
// so replicas of one service can start together.
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema string, sets ...Migrations) error {
	if err := ValidateSchemaName(schema); err != nil {
		return err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: acquire connection: %w", schema, err)
	}
	defer conn.Release()

	key := lockKey("migrate:" + schema)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("migrate %s: take advisory lock: %w", schema, err)
	}
	defer func() {
		// The unlock must run even if ctx is cancelled, or the pooled
		// session would keep the lock.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	}()

	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("migrate %s: create schema: %w", schema, err)
	}
	for _, set := range sets {
		m, err := newMigrator(ctx, conn.Conn(), schema, set)
		if err != nil {
			return err
		}
		if err := m.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate %s/%s: %w", schema, set.Name, err)
		}
	}
	return nil
}

// Pending returns how many migrations of the sets are not yet applied in
// schema; readiness checks want 0.
func Pending(ctx context.Context, pool *pgxpool.Pool, schema string, sets ...Migrations) (int, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("check migrations of %s: %w", schema, err)
	}
	defer conn.Release()
	pending := 0
	for _, set := range sets {
		names, err := migrate.FindMigrations(set.FS)
		if err != nil {
			return 0, fmt.Errorf("list migrations %s: %w", set.Name, err)
		}
		var applied int32
		err = conn.QueryRow(ctx, "SELECT version FROM "+versionTable(schema, set.Name)).Scan(&applied)
		if err != nil {
			// No version table yet: nothing applied.
			pending += len(names)
			continue
		}
		pending += max(len(names)-int(applied), 0)
	}
	return pending, nil
}

func newMigrator(ctx context.Context, conn *pgx.Conn, schema string, set Migrations) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, versionTable(schema, set.Name))
	if err != nil {
		return nil, fmt.Errorf("migrate %s/%s: %w", schema, set.Name, err)
	}
	m.Data["schema"] = pgx.Identifier{schema}.Sanitize()
	if err := m.LoadMigrations(set.FS); err != nil {
		return nil, fmt.Errorf("load migrations %s: %w", set.Name, err)
	}
	return m, nil
}

// versionTable is left unquoted because tern splits it on the dot;
// ValidateSchemaName keeps that safe.
func versionTable(schema, name string) string {
	return schema + "." + name + "_migrations"
}

// ValidateSchemaName accepts lower-case SQL identifiers only, so a schema
// name can never need quoting (or inject anything).
func ValidateSchemaName(schema string) error {
	if len(schema) == 0 || len(schema) > 48 || !(schema[0] >= 'a' && schema[0] <= 'z' || schema[0] == '_') {
		return fmt.Errorf("schema name %q: want a lower-case identifier of up to 48 characters", schema)
	}
	for _, c := range schema {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("schema name %q: want a lower-case identifier of up to 48 characters", schema)
		}
	}
	return nil
}

// lockKey maps a name to an advisory-lock key.
func lockKey(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return int64(h.Sum64())
}

// LockKey exposes the same mapping for other session locks (the relay's
// leader lock), so every lock in the system is named, not numbered by hand.
func LockKey(name string) int64 { return lockKey(name) }
