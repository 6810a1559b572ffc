// Package store keeps the projections' read models in PostgreSQL: the
// patient timeline and the consumers' positions. Every write happens on the
// transaction that also records the event as consumed, so an update and the
// position it reached commit together or not at all.
package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/consumer"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/projections/internal/timeline"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the projections' tables, with the consumer ledger.
func Migrations() []pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return []pgkit.Migrations{consumer.Migrations(), {Name: "projections", FS: sub}}
}

// Writer runs the store's statements: a transaction runs each at once; a
// Batch queues them to send together.
type Writer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Batch queues writes and sends them in one round trip, in order. Its Exec
// never fails: a statement's error comes back from Send.
type Batch struct{ b pgx.Batch }

// Exec queues a statement.
func (b *Batch) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	b.b.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

// Len is how many statements are queued.
func (b *Batch) Len() int { return b.b.Len() }

// Send runs the queued statements on tx and empties the batch.
func (b *Batch) Send(ctx context.Context, tx pgx.Tx) error {
	if b.b.Len() == 0 {
		return nil
	}
	err := tx.SendBatch(ctx, &b.b).Close()
	b.b = pgx.Batch{}
	return err
}

// Store writes one schema's read models.
type Store struct {
	schema                          string
	insertSQL, markSQL, positionSQL string
	board                           boardSQL
	worklist                        worklistSQL
	registrations                   registrationsSQL
}

// New returns the store of schema.
func New(schema string) (*Store, error) {
	if err := pgkit.ValidateSchemaName(schema); err != nil {
		return nil, err
	}
	return &Store{
		schema:        schema,
		board:         newBoardSQL(schema),
		worklist:      newWorklistSQL(schema),
		registrations: newRegistrationsSQL(schema),
		insertSQL: `INSERT INTO ` + schema + `.timeline (patient, event_id, occurred_at, recorded_at, stream_seq, service, event_type, category, summary,
			actor_id, actor_role, actor_org, source_service, source_aggregate, source_id, source_path, stream_id, stream_version, entry_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
			ON CONFLICT (patient, event_id) DO NOTHING`,
		// The first mark an entry gets stands: replaying marks changes
		// nothing, and the reason shown is the original one.
		markSQL: `UPDATE ` + schema + `.timeline SET status = $4, status_reason = $5, status_by_event = $6, status_at = $7,
			change_seq = nextval('` + schema + `.timeline_change_seq')
			WHERE patient = $1 AND stream_id = $2 AND event_type = ANY($3) AND status = 'recorded'
			  AND ($8 = '' OR entry_key = $8) AND stream_version < $9`,
		positionSQL: `INSERT INTO ` + schema + `.positions (consumer, stream_seq, event_time, applied_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (consumer) DO UPDATE SET stream_seq = greatest(positions.stream_seq, excluded.stream_seq),
			event_time = excluded.event_time, applied_at = excluded.applied_at`,
	}, nil
}

// ApplyViews applies an event to every operational view.
func (s *Store) ApplyViews(ctx context.Context, w Writer, env events.Envelope, data events.Data) error {
	for _, apply := range []func(context.Context, Writer, events.Envelope, events.Data) error{s.ApplyBoard, s.ApplyWorklist, s.ApplyRounds, s.ApplySummary, s.ApplyRegistrations, s.ApplyAccess} {
		if err := apply(ctx, w, env, data); err != nil {
			return err
		}
	}
	return nil
}

// Apply writes one event's effect on the timelines.
func (s *Store) Apply(ctx context.Context, w Writer, env events.Envelope, seq uint64, eff timeline.Effect) error {
	for _, e := range eff.Add {
		if _, err := w.Exec(ctx, s.insertSQL, e.Patient, e.EventID, e.OccurredAt, e.RecordedAt, int64(seq), e.Service, e.EventType, e.Category, e.Summary,
			e.ActorID, e.ActorRole, e.ActorOrg, e.Source.Service, e.Source.Aggregate, e.Source.ID, e.Source.Path, e.StreamID, e.StreamVersion, e.Key); err != nil {
			return fmt.Errorf("add timeline entry: %w", err)
		}
	}
	return s.ApplyMarks(ctx, w, env, eff.Mark)
}

// ApplyMarks changes the status of earlier entries.
func (s *Store) ApplyMarks(ctx context.Context, w Writer, env events.Envelope, marks []timeline.Mark) error {
	for _, m := range marks {
		if _, err := w.Exec(ctx, s.markSQL, m.Patient, m.StreamID, m.EventTypes, string(m.Status), m.Reason, m.ByEventID, env.Time, m.Key, m.Before); err != nil {
			return fmt.Errorf("mark timeline entries %s: %w", m.Status, err)
		}
	}
	return nil
}

// Row is a timeline entry with the stream sequence of the event that added
// it.
type Row struct {
	timeline.Entry
	StreamSeq uint64
}

// timelineColumns are the columns CopyEntries writes; the rest take their
// defaults, as an insert's do.
var timelineColumns = []string{"patient", "event_id", "occurred_at", "recorded_at", "stream_seq", "service", "event_type", "category", "summary",
	"actor_id", "actor_role", "actor_org", "source_service", "source_aggregate", "source_id", "source_path", "stream_id", "stream_version", "entry_key"}

// CopyEntries adds many entries in one COPY: a rebuild's bulk path. Unlike
// Apply it does not skip an entry that is already there, so the caller must
// pass each (patient, event) once.
func (s *Store) CopyEntries(ctx context.Context, tx pgx.Tx, rows []Row) error {
	i := -1
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i++; i == len(rows) {
			return nil, nil
		}
		e := rows[i]
		id, err := events.ParseID(e.EventID)
		if err != nil {
			return nil, err
		}
		return []any{e.Patient, [16]byte(id), e.OccurredAt, e.RecordedAt, int64(e.StreamSeq), e.Service, e.EventType, e.Category, e.Summary,
			e.ActorID, e.ActorRole, e.ActorOrg, e.Source.Service, e.Source.Aggregate, e.Source.ID, e.Source.Path, e.StreamID, e.StreamVersion, e.Key}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "timeline"}, timelineColumns, src); err != nil {
		return fmt.Errorf("copy %d timeline entries: %w", len(rows), err)
	}
	return nil
}

// SavePosition records that consumer has applied the stream up to seq.
func (s *Store) SavePosition(ctx context.Context, w Writer, consumerName string, seq uint64, eventTime time.Time) error {
	if _, err := w.Exec(ctx, s.positionSQL, consumerName, int64(seq), eventTime); err != nil {
		return fmt.Errorf("save position of %s: %w", consumerName, err)
	}
	return nil
}
