package consumer

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/pgkit"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the consumed_events table ApplyOnce needs in a
// consumer's schema.
func Migrations() pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return pgkit.Migrations{Name: "consumer", FS: sub}
}

// Ledger records which events each consumer has applied.
type Ledger struct {
	pool      *pgxpool.Pool
	schema    string
	insertSQL string
}

// NewLedger returns the ledger in schema (migrated with Migrations).
func NewLedger(pool *pgxpool.Pool, schema string) (*Ledger, error) {
	if err := pgkit.ValidateSchemaName(schema); err != nil {
		return nil, err
	}
	return &Ledger{
		pool:      pool,
		schema:    schema,
		insertSQL: `INSERT INTO ` + schema + `.consumed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
	}, nil
}

// ApplyOnce runs apply in a transaction that also records (consumer, event
// id), and commits both together. If the event was applied before, apply
// does not run, so a redelivery changes nothing; always, if set, runs on the
// transaction either way (to move a position past a repeat).
func (l *Ledger) ApplyOnce(ctx context.Context, consumer string, env events.Envelope, apply, always func(ctx context.Context, tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		return l.ApplyOnceTx(ctx, tx, consumer, env, apply, always)
	})
}

// ApplyOnceTx is ApplyOnce on a transaction the caller owns, for a consumer
// that must do something first in the same transaction (take a lock, pick
// the schema it writes).
func (l *Ledger) ApplyOnceTx(ctx context.Context, tx pgx.Tx, consumer string, env events.Envelope, apply, always func(ctx context.Context, tx pgx.Tx) error) error {
	tag, err := tx.Exec(ctx, l.insertSQL, consumer, env.ID.String())
	if err != nil {
		return fmt.Errorf("record event %s as consumed: %w", env.ID, err)
	}
	if tag.RowsAffected() > 0 { // not applied before
		if err := apply(ctx, tx); err != nil {
			return err
		}
	}
	if always != nil {
		return always(ctx, tx)
	}
	return nil
}

// RecordApplied records many events as applied by consumer in one COPY: the
// bulk path of a rebuild, which has already made sure each id is new.
func (l *Ledger) RecordApplied(ctx context.Context, tx pgx.Tx, consumer string, ids []events.ID) error {
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{consumer, [16]byte(id)}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{l.schema, "consumed_events"}, []string{"consumer", "event_id"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("record %d events as consumed: %w", len(ids), err)
	}
	return nil
}
