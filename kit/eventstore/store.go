package eventstore

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/pgkit"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations is the store's schema, for pgkit.Migrate and readiness checks.
func Migrations() pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return pgkit.Migrations{Name: "eventstore", FS: sub}
}

// ErrNoEvents is returned when Append is given nothing to append: a command
// that changes nothing records nothing, and callers should not get here.
var ErrNoEvents = errors.New("append: no events")

// ErrDuplicateEvent means an event id is already in the store: a caller
// re-sent an event it had already appended.
var ErrDuplicateEvent = errors.New("append: event id already stored")

// ErrVersionConflict is wrapped by every *VersionConflictError.
var ErrVersionConflict = errors.New("version conflict")

// VersionConflictError says a stream was not at the version the writer
// expected: someone else appended first. Reload and decide again.
type VersionConflictError struct {
	StreamID string
	Expected int64
	Actual   int64
}

func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("stream %s is at version %d, not the expected %d", e.StreamID, e.Actual, e.Expected)
}

// Unwrap lets errors.Is(err, ErrVersionConflict) match.
func (e *VersionConflictError) Unwrap() error { return ErrVersionConflict }

// Position is a place in the commit order of the whole log.
type Position struct {
	TxID     uint64
	Sequence int64
}

// Record is an event as read back from the log, in commit order.
type Record struct {
	Position   Position
	EventID    events.ID
	StreamID   string
	Version    int64
	Type       string
	Subject    string
	Area       string
	RecordedAt time.Time
	// Envelope is the encoded envelope, ready to publish.
	Envelope []byte
}

// Store is one service's event log in its own schema.
type Store struct {
	pool   *pgxpool.Pool
	schema string

	appendNewSQL, appendNextSQL, appendNewManySQL, appendNextManySQL string
	actualVersionSQL                                                 string
	loadSQL, readAllSQL, loadCursorSQL, saveCursorSQL                string
}

// New returns a store over schema. Call Migrate (or pgkit.Migrate with
// Migrations()) before use.
func New(pool *pgxpool.Pool, schema string) (*Store, error) {
	if err := pgkit.ValidateSchemaName(schema); err != nil {
		return nil, err
	}
	t := func(sql string) string { return strings.ReplaceAll(sql, "$schema", schema) }
	const insertCols = `INSERT INTO $schema.events (stream_id, version, event_id, event_type, subject, area, envelope) `
	const batch = ` FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::json[]) WITH ORDINALITY AS u(id, typ, subj, area, env, ord)`
	// Appending after version n selects row n itself: an expected version
	// *ahead* of the stream (which would leave a gap) finds no row and
	// inserts nothing, one *behind* it collides on the unique constraint. A
	// new stream needs no guard, so it is a plain INSERT ... VALUES.
	const previous = ` $schema.events prev WHERE prev.stream_id = $1 AND prev.version = $2::bigint`
	return &Store{
		pool:   pool,
		schema: schema,
		appendNewSQL: t(insertCols +
			`VALUES ($1, $2::bigint + 1, $3, $4, $5, $6, $7)`),
		appendNextSQL: t(insertCols +
			`SELECT $1, $2::bigint + 1, $3, $4, $5, $6, $7 FROM` + previous),
		appendNewManySQL: t(insertCols +
			`SELECT $1, $2::bigint + u.ord, u.id, u.typ, u.subj, u.area, u.env` + batch),
		appendNextManySQL: t(insertCols +
			`SELECT $1, $2::bigint + u.ord, u.id, u.typ, u.subj, u.area, u.env` + batch + ` CROSS JOIN (SELECT FROM` + previous + `) AS prev`),
		actualVersionSQL: t(`SELECT coalesce(max(version), 0) FROM $schema.events WHERE stream_id = $1`),
		loadSQL:          t(`SELECT envelope FROM $schema.events WHERE stream_id = $1 AND version > $2 ORDER BY version LIMIT $3`),
		// Rows of transactions older than every open transaction are final:
		// no event can commit later with a smaller (transaction_id, position).
		readAllSQL: t(`SELECT transaction_id, position, event_id, stream_id, version, event_type, subject, area, recorded_at, envelope
			FROM $schema.events
			WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
			  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
			ORDER BY transaction_id, position
			LIMIT $3`),
		loadCursorSQL: t(`SELECT transaction_id, position FROM $schema.cursors WHERE name = $1`),
		saveCursorSQL: t(`INSERT INTO $schema.cursors (name, transaction_id, position, updated_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (name) DO UPDATE SET transaction_id = excluded.transaction_id, position = excluded.position, updated_at = excluded.updated_at`),
	}, nil
}

// Schema returns the schema the store lives in.
func (s *Store) Schema() string { return s.schema }

// Migrate applies the store's migrations to its schema.
func (s *Store) Migrate(ctx context.Context) error {
	return pgkit.Migrate(ctx, s.pool, s.schema, Migrations())
}

// Querier is what appends run on: the pool (one implicit transaction per
// statement) or a caller's pgx.Tx, so a service can commit other rows (an
// idempotency key, say) atomically with its events.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Append appends evs to streamID, which must be at version expected (0 for
// a new stream), in one implicit transaction, and returns the new version.
func (s *Store) Append(ctx context.Context, streamID string, expected int64, evs []events.Envelope) (int64, error) {
	return s.AppendTx(ctx, s.pool, streamID, expected, evs)
}

// AppendTx is Append on q, typically the caller's transaction. Envelopes get
// their StreamID and StreamVersion set here; everything else must already be
// valid.
func (s *Store) AppendTx(ctx context.Context, q Querier, streamID string, expected int64, evs []events.Envelope) (int64, error) {
	if len(evs) == 0 {
		return 0, ErrNoEvents
	}
	if expected < 0 {
		return 0, fmt.Errorf("append to %s: expected version %d is negative", streamID, expected)
	}
	encoded := make([][]byte, len(evs))
	for i := range evs {
		evs[i].StreamID = streamID
		evs[i].StreamVersion = expected + int64(i) + 1
		b, err := evs[i].Encode()
		if err != nil {
			return 0, fmt.Errorf("append to %s: %w", streamID, err)
		}
		encoded[i] = b
	}

	var tag pgconn.CommandTag
	var err error
	if len(evs) == 1 {
		e := &evs[0]
		sql := s.appendNextSQL
		if expected == 0 {
			sql = s.appendNewSQL
		}
		tag, err = q.Exec(ctx, sql, streamID, expected, e.ID.String(), e.Type, e.Subject, e.Area, encoded[0])
	} else {
		ids, types, subjects, areas := make([]string, len(evs)), make([]string, len(evs)), make([]string, len(evs)), make([]string, len(evs))
		for i := range evs {
			ids[i], types[i], subjects[i], areas[i] = evs[i].ID.String(), evs[i].Type, evs[i].Subject, evs[i].Area
		}
		sql := s.appendNextManySQL
		if expected == 0 {
			sql = s.appendNewManySQL
		}
		tag, err = q.Exec(ctx, sql, streamID, expected, ids, types, subjects, areas, encoded)
	}
	if err != nil {
		if constraint, ok := pgkit.IsUniqueViolation(err); ok {
			if constraint == "events_event_id_key" {
				return 0, ErrDuplicateEvent
			}
			return 0, s.conflict(ctx, q, streamID, expected)
		}
		return 0, fmt.Errorf("append to %s: %w", streamID, err)
	}
	if tag.RowsAffected() == 0 {
		return 0, s.conflict(ctx, q, streamID, expected)
	}
	return expected + int64(len(evs)), nil
}

// AppendAtEndTx appends evs after whatever streamID holds, on tx: for a
// stream many writers add to in no particular order, such as a recipient's
// feed. A transaction-scoped advisory lock on the stream serialises the
// writers, so none of them conflicts; the stream's order is their commit
// order.
func (s *Store) AppendAtEndTx(ctx context.Context, tx pgx.Tx, streamID string, evs []events.Envelope) (int64, error) {
	// The lock and the read go in one round trip; PostgreSQL runs them in
	// order, and the read's snapshot is taken after the lock is held, so
	// it sees every append of the writers before.
	b := &pgx.Batch{}
	b.Queue("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", s.schema+"/"+streamID)
	var version int64
	b.Queue(s.actualVersionSQL, streamID).QueryRow(func(row pgx.Row) error { return row.Scan(&version) })
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("lock and read the version of %s: %w", streamID, err)
	}
	return s.AppendTx(ctx, tx, streamID, version, evs)
}

// conflict builds the conflict error with the stream's actual version. On a
// failed transaction it cannot ask, and says -1.
func (s *Store) conflict(ctx context.Context, q Querier, streamID string, expected int64) error {
	actual := int64(-1)
	if _, inTx := q.(pgx.Tx); !inTx {
		_ = s.pool.QueryRow(ctx, s.actualVersionSQL, streamID).Scan(&actual)
	}
	return &VersionConflictError{StreamID: streamID, Expected: expected, Actual: actual}
}

// Load returns the stream's events after version from, oldest first. An
// unknown stream has no events.
func (s *Store) Load(ctx context.Context, streamID string, from int64) ([]events.Envelope, error) {
	return s.LoadPage(ctx, streamID, from, 0)
}

// LoadTx is Load on q: a command that holds a transaction reads its
// aggregate on it, never on a second connection from the pool (with every
// connection held by a transaction waiting for another, the pool would
// deadlock).
// At most limit events are returned (0: all).
func (s *Store) LoadTx(ctx context.Context, q Querier, streamID string, from int64, limit int) ([]events.Envelope, error) {
	return s.load(ctx, q, streamID, from, limit)
}

// LoadPage is Load of at most limit events (0: all).
func (s *Store) LoadPage(ctx context.Context, streamID string, from int64, limit int) ([]events.Envelope, error) {
	return s.load(ctx, s.pool, streamID, from, limit)
}

func (s *Store) load(ctx context.Context, q Querier, streamID string, from int64, limit int) ([]events.Envelope, error) {
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := q.Query(ctx, s.loadSQL, streamID, from, lim)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", streamID, err)
	}
	var out []events.Envelope
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
		var e events.Envelope
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("decode stored event: %w", err)
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", streamID, err)
	}
	return out, nil
}

// ReadAll returns up to limit events committed after pos, in commit order.
// It returns only events no open transaction can precede, so reading
// repeatedly from the last returned position sees every event exactly once.
// A long-running transaction anywhere in the database delays (never loses)
// events committed after it started.
func (s *Store) ReadAll(ctx context.Context, after Position, limit int) ([]Record, error) {
	rows, err := s.pool.Query(ctx, s.readAllSQL, after.TxID, after.Sequence, limit)
	if err != nil {
		return nil, fmt.Errorf("read events after %v: %w", after, err)
	}
	out := make([]Record, 0, limit)
	var r Record
	var id string
	_, err = pgx.ForEachRow(rows, []any{&r.Position.TxID, &r.Position.Sequence, &id, &r.StreamID, &r.Version, &r.Type, &r.Subject, &r.Area, &r.RecordedAt, &r.Envelope},
		func() error {
			var perr error
			if r.EventID, perr = events.ParseID(id); perr != nil {
				return fmt.Errorf("stored event id %q: %w", id, perr)
			}
			out = append(out, r)
			r.Envelope = nil // ForEachRow reuses the scan targets
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read events after %v: %w", after, err)
	}
	return out, nil
}

// LoadCursor returns the saved position of a named reader (zero if none).
func (s *Store) LoadCursor(ctx context.Context, name string) (Position, error) {
	var p Position
	err := s.pool.QueryRow(ctx, s.loadCursorSQL, name).Scan(&p.TxID, &p.Sequence)
	if errors.Is(err, pgx.ErrNoRows) {
		return Position{}, nil
	}
	if err != nil {
		return Position{}, fmt.Errorf("load cursor %s: %w", name, err)
	}
	return p, nil
}

// SaveCursor durably records a named reader's position.
func (s *Store) SaveCursor(ctx context.Context, name string, p Position) error {
	if _, err := s.pool.Exec(ctx, s.saveCursorSQL, name, p.TxID, p.Sequence); err != nil {
		return fmt.Errorf("save cursor %s: %w", name, err)
	}
	return nil
}

// Lock takes the named session advisory lock in this store's schema (for
// example the relay's leader lock), waiting until it is free or ctx ends.
func (s *Store) Lock(ctx context.Context, name string, retry time.Duration) (*pgkit.SessionLock, error) {
	return pgkit.AcquireLock(ctx, s.pool, s.schema+":"+name, retry)
}

// Pool returns the store's connection pool, for callers that append inside
// their own transactions (AppendTx).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
