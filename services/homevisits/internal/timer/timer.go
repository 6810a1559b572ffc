// Package timer sends an assignment the clinician has not accepted in time
// back to the duty coordinator. Every command on a visit keeps the visit's
// row in assignment_timers in step with its state, in the command's own
// transaction (Sync); a loop fires the rows that fall due by executing
// domain.TimeOutAssignment on the visit, in a transaction that holds the
// row, appends the event and removes the row together. A timer that fell
// due while the service was down fires when it starts again.
//
// A timeout changes a patient's visit (it goes back to the coordinator),
// so it goes on the patient's audit trail like any change, in the same
// transaction: an access_recorded by the service itself (Actor, role
// system), action change:<event type>, basis relationship:system-timer,
// resource the visit's path. A timer answers no request: the record's
// request id is the timeout's correlation id, and its status 200, what
// the same change would be answered with over the API.
package timer

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations create the timers table.
func Migrations() pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return pgkit.Migrations{Name: "timers", FS: sub}
}

// Actor is who a timeout is recorded as: the service itself.
var Actor = events.Actor{ID: "careweave-homevisits", Role: "system", Org: "careweave"}

// Basis is what a timeout's audit record rests on: the service's own
// acceptance timer, not a person's relationship with the patient.
var Basis = access.Relationship("system-timer")

// Timers keeps and fires the acceptance timers of one schema.
type Timers struct {
	pool  *pgxpool.Pool
	repo  *aggregate.Repository[domain.VisitState]
	audit *audit.Recorder
	rules domain.Rules
	now   func() time.Time
	poll  time.Duration
	log   *slog.Logger

	setSQL, clearSQL, dueSQL string
}

// New returns the timers in schema; rec puts each timeout on the patient's
// audit trail.
func New(pool *pgxpool.Pool, schema string, repo *aggregate.Repository[domain.VisitState], rec *audit.Recorder, rules domain.Rules, now func() time.Time, logger *slog.Logger) *Timers {
	t := schema + ".assignment_timers"
	return &Timers{pool: pool, repo: repo, audit: rec, rules: rules, now: now, poll: time.Second, log: logger,
		setSQL:   `INSERT INTO ` + t + ` (visit, accept_by) VALUES ($1, $2) ON CONFLICT (visit) DO UPDATE SET accept_by = excluded.accept_by`,
		clearSQL: `DELETE FROM ` + t + ` WHERE visit = $1`,
		dueSQL:   `SELECT visit FROM ` + t + ` WHERE accept_by <= $1 ORDER BY accept_by LIMIT 1 FOR UPDATE SKIP LOCKED`,
	}
}

// Sync sets or clears visit's timer to match its state, on tx.
func (t *Timers) Sync(ctx context.Context, tx pgx.Tx, visit string, s domain.VisitState) error {
	var err error
	if due := domain.AcceptBy(t.rules, s); due.IsZero() {
		_, err = tx.Exec(ctx, t.clearSQL, visit)
	} else {
		_, err = tx.Exec(ctx, t.setSQL, visit, due)
	}
	if err != nil {
		return fmt.Errorf("sync acceptance timer: %w", err)
	}
	return nil
}

// Run fires timers as they fall due until ctx ends.
func (t *Timers) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		fired, err := t.fireOne(ctx)
		if err != nil && ctx.Err() == nil {
			t.log.Warn("acceptance timer did not fire; will retry", "err", err)
		}
		if !fired || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(t.poll):
			}
		}
	}
	return nil
}

// fireOne fires one due timer, if any, and reports whether it did.
func (t *Timers) fireOne(ctx context.Context) (bool, error) {
	now := t.now()
	err := pgx.BeginFunc(ctx, t.pool, func(tx pgx.Tx) error {
		var visit string
		if err := tx.QueryRow(ctx, t.dueSQL, now).Scan(&visit); err != nil {
			return err
		}
		meta := aggregate.Meta{Actor: Actor, CorrelationID: events.NewID(now).String(), Now: now}
		l, envs, err := t.repo.Execute(ctx, tx, visit, -1, meta, domain.TimeOutAssignment(t.rules, now))
		if err != nil {
			return fmt.Errorf("time out visit %s: %w", visit, err)
		}
		if err := t.record(ctx, tx, visit, meta.CorrelationID, envs); err != nil {
			return err
		}
		return t.Sync(ctx, tx, visit, l.State)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// record puts each event of a timeout about a patient on the patient's
// audit trail, on the timeout's transaction.
func (t *Timers) record(ctx context.Context, tx pgx.Tx, visit, correlation string, envs []events.Envelope) error {
	system := auth.Principal{Subject: Actor.ID, Role: Actor.Role, Org: Actor.Org}
	for _, en := range envs {
		if en.Subject == "" {
			continue
		}
		rec := audit.For(system, correlation, audit.Access{Patient: en.Subject, Action: access.Change(en.Type), Basis: Basis,
			Outcome: access.Allowed, Status: 200, Resource: "/v1/visits/" + visit})
		if err := t.audit.RecordTx(ctx, tx, rec); err != nil {
			return fmt.Errorf("record the timeout of visit %s: %w", visit, err)
		}
	}
	return nil
}
