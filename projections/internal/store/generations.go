package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/kit/pgkit"
)

//go:embed control/*.sql
var controlFiles embed.FS

// ControlMigrations create the generation pointer in the control schema.
func ControlMigrations() []pgkit.Migrations {
	sub, _ := fs.Sub(controlFiles, "control")
	return []pgkit.Migrations{{Name: "generations", FS: sub}}
}

// MaxGeneration bounds generation numbers, so a generation's schema name
// stays a valid identifier: a million rebuilds.
const MaxGeneration = 999999

// Querier runs a query: a pool, a connection or a transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Generations finds and manages the generations of the read models kept
// under one control schema.
type Generations struct {
	control string
}

// NewGenerations returns the generations under control (migrated with
// ControlMigrations).
func NewGenerations(control string) (*Generations, error) {
	if err := pgkit.ValidateSchemaName(control); err != nil {
		return nil, err
	}
	if err := pgkit.ValidateSchemaName(control + "_g" + strconv.Itoa(MaxGeneration)); err != nil {
		return nil, fmt.Errorf("control schema %q leaves no room for generation suffixes: %w", control, err)
	}
	return &Generations{control: control}, nil
}

// Schema is the schema generation gen lives in.
func (g *Generations) Schema(gen int) string { return g.control + "_g" + strconv.Itoa(gen) }

// Live returns the live generation, for a reader.
func (g *Generations) Live(ctx context.Context, q Querier) (int, error) {
	var gen int
	err := q.QueryRow(ctx, `SELECT generation FROM `+g.control+`.live_generation`).Scan(&gen)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNoGeneration
	}
	if err != nil {
		return 0, fmt.Errorf("read the live generation: %w", err)
	}
	return gen, nil
}

// LiveForWrite returns the live generation and holds it live until tx ends:
// a writer calls it first in every transaction.
func (g *Generations) LiveForWrite(ctx context.Context, tx pgx.Tx) (int, error) {
	var gen int
	err := tx.QueryRow(ctx, `SELECT generation FROM `+g.control+`.live_generation FOR SHARE`).Scan(&gen)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNoGeneration
	}
	if err != nil {
		return 0, fmt.Errorf("read the live generation: %w", err)
	}
	return gen, nil
}

// Prepare makes sure there is a live generation, creating the first one on
// a new database, and brings its tables up to date. Every process that uses
// the read models calls it at start-up; concurrent callers are safe.
func (g *Generations) Prepare(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO `+g.control+`.generations (generation, state, live_at) VALUES (1, 'live', now()) ON CONFLICT DO NOTHING`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO `+g.control+`.live_generation (generation) VALUES (1) ON CONFLICT DO NOTHING`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create the first generation: %w", err)
	}
	gen, err := g.Live(ctx, pool)
	if err != nil {
		return 0, err
	}
	return gen, pgkit.Migrate(ctx, pool, g.Schema(gen), Migrations()...)
}

// Generation is one row of the generations table.
type Generation struct {
	Generation int
	State      string
	CreatedAt  time.Time
	LiveAt     *time.Time
	RetiredAt  *time.Time
	Replayed   *int64
}

// List returns every generation, oldest first.
func (g *Generations) List(ctx context.Context, pool *pgxpool.Pool) ([]Generation, error) {
	rows, err := pool.Query(ctx, `SELECT generation, state, created_at, live_at, retired_at, replayed FROM `+g.control+`.generations ORDER BY generation`)
	if err != nil {
		return nil, fmt.Errorf("list generations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Generation, error) {
		var x Generation
		err := r.Scan(&x.Generation, &x.State, &x.CreatedAt, &x.LiveAt, &x.RetiredAt, &x.Replayed)
		return x, err
	})
}

// Begin starts building a new generation: it abandons (and drops) any
// earlier one left building by a rebuild that did not finish, then creates
// the next generation's schema and tables. The caller holds the rebuild
// lock.
func (g *Generations) Begin(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	rows, err := pool.Query(ctx, `UPDATE `+g.control+`.generations SET state = 'abandoned', retired_at = now() WHERE state = 'building' RETURNING generation`)
	if err != nil {
		return 0, fmt.Errorf("abandon unfinished generations: %w", err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return 0, fmt.Errorf("abandon unfinished generations: %w", err)
	}
	for _, gen := range stale {
		if err := g.drop(ctx, pool, gen); err != nil {
			return 0, err
		}
	}
	var gen int
	if err := pool.QueryRow(ctx, `INSERT INTO `+g.control+`.generations (generation, state)
		SELECT coalesce(max(generation), 0) + 1, 'building' FROM `+g.control+`.generations RETURNING generation`).Scan(&gen); err != nil {
		return 0, fmt.Errorf("start a generation: %w", err)
	}
	if gen > MaxGeneration {
		return 0, fmt.Errorf("start a generation: %d would pass the last, %d", gen, MaxGeneration)
	}
	if err := g.drop(ctx, pool, gen); err != nil { // a leftover schema of that name, from a crash mid-create
		return 0, err
	}
	return gen, pgkit.Migrate(ctx, pool, g.Schema(gen), Migrations()...)
}

// Gate holds the live pointer: while it is held, no projector transaction
// runs, and none has one open.
type Gate struct {
	tx   pgx.Tx
	live int
}

// Close takes the gate: it waits for projector transactions in flight and
// holds back new ones until Switch or Open.
func (g *Generations) Close(ctx context.Context, pool *pgxpool.Pool) (*Gate, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("close the gate: %w", err)
	}
	var live int
	if err := tx.QueryRow(ctx, `SELECT generation FROM `+g.control+`.live_generation FOR UPDATE`).Scan(&live); err != nil {
		_ = tx.Rollback(ctx)
		return nil, fmt.Errorf("close the gate: %w", err)
	}
	return &Gate{tx: tx, live: live}, nil
}

// Live is the generation live while the gate is held.
func (gt *Gate) Live() int { return gt.live }

// Open lets projectors go on with nothing changed.
func (gt *Gate) Open(ctx context.Context) { _ = gt.tx.Rollback(context.WithoutCancel(ctx)) }

// Switch makes gen live, retires the one that was, and opens the gate.
func (g *Generations) Switch(ctx context.Context, gt *Gate, gen int, replayed int64) error {
	defer gt.Open(ctx)
	q := gt.tx
	if _, err := q.Exec(ctx, `UPDATE `+g.control+`.generations SET state = 'retired', retired_at = now() WHERE generation = $1`, gt.live); err != nil {
		return fmt.Errorf("retire generation %d: %w", gt.live, err)
	}
	tag, err := q.Exec(ctx, `UPDATE `+g.control+`.generations SET state = 'live', live_at = now(), replayed = $2 WHERE generation = $1 AND state = 'building'`, gen, replayed)
	if err != nil {
		return fmt.Errorf("make generation %d live: %w", gen, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("make generation %d live: it is not being built", gen)
	}
	if _, err := q.Exec(ctx, `UPDATE `+g.control+`.live_generation SET generation = $1`, gen); err != nil {
		return fmt.Errorf("make generation %d live: %w", gen, err)
	}
	if err := q.Commit(ctx); err != nil {
		return fmt.Errorf("make generation %d live: %w", gen, err)
	}
	return nil
}

// Abandon gives up a generation being built and drops its tables.
func (g *Generations) Abandon(ctx context.Context, pool *pgxpool.Pool, gen int) error {
	ctx = context.WithoutCancel(ctx)
	if _, err := pool.Exec(ctx, `UPDATE `+g.control+`.generations SET state = 'abandoned', retired_at = now() WHERE generation = $1 AND state = 'building'`, gen); err != nil {
		return fmt.Errorf("abandon generation %d: %w", gen, err)
	}
	return g.drop(ctx, pool, gen)
}

// Prune drops the tables of retired generations, keeping the newest keep of
// them (a reader that looked up the live generation just before a switch
// may still be reading the one before).
func (g *Generations) Prune(ctx context.Context, pool *pgxpool.Pool, keep int) ([]int, error) {
	rows, err := pool.Query(ctx, `SELECT generation FROM `+g.control+`.generations WHERE state = 'retired' ORDER BY generation DESC OFFSET $1`, keep)
	if err != nil {
		return nil, fmt.Errorf("find retired generations: %w", err)
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("find retired generations: %w", err)
	}
	for _, gen := range old {
		if err := g.drop(ctx, pool, gen); err != nil {
			return nil, err
		}
		if _, err := pool.Exec(ctx, `UPDATE `+g.control+`.generations SET state = 'dropped' WHERE generation = $1`, gen); err != nil {
			return nil, fmt.Errorf("mark generation %d dropped: %w", gen, err)
		}
	}
	return old, nil
}

func (g *Generations) drop(ctx context.Context, pool *pgxpool.Pool, gen int) error {
	if _, err := pool.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{g.Schema(gen)}.Sanitize()+` CASCADE`); err != nil {
		return fmt.Errorf("drop generation %d: %w", gen, err)
	}
	return nil
}

// ErrNoGeneration is returned when the control schema has no live
// generation yet: nothing has called Prepare.
var ErrNoGeneration = errors.New("no live generation of the read models")
