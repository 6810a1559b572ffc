package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/services/discharge/internal/domain"
)

// stayIndex is the stays_by_patient table: each patient's stays with when
// they were admitted and where they are. It is written only on the
// transaction that records a stay's events, so it never disagrees with
// the log.
type stayIndex struct {
	lockSQL, insertSQL, previousSQL, statusSQL string
}

func newStayIndex(schema string) *stayIndex {
	t := schema + ".stays_by_patient"
	return &stayIndex{
		// Two admissions of one patient at once would each miss the other:
		// the lock makes the second wait and then see the first.
		lockSQL:   `SELECT pg_advisory_xact_lock(hashtextextended('careweave-discharge-patient:' || $1, 0))`,
		insertSQL: `INSERT INTO ` + t + ` (stay_id, patient, admitted_at, status) VALUES ($1, $2, $3, $4)`,
		previousSQL: `SELECT stay_id FROM ` + t + ` WHERE patient = $1 AND stay_id <> $2 AND admitted_at <= $3
			ORDER BY admitted_at DESC, stay_id DESC LIMIT 1`,
		statusSQL: `UPDATE ` + t + ` SET status = $2, updated_at = now() WHERE stay_id = $1 AND status <> $2`,
	}
}

// admit records a new stay and returns the patient's previous one: the
// latest admitted at or before it, if any.
func (s *stayIndex) admit(ctx context.Context, tx pgx.Tx, stayID, patient string, admittedAt time.Time) (string, bool, error) {
	if _, err := tx.Exec(ctx, s.lockSQL, patient); err != nil {
		return "", false, fmt.Errorf("lock patient's stays: %w", err)
	}
	var prev string
	err := tx.QueryRow(ctx, s.previousSQL, patient, stayID, admittedAt).Scan(&prev)
	found := err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find previous stay: %w", err)
	}
	if _, err := tx.Exec(ctx, s.insertSQL, stayID, patient, admittedAt, string(domain.StatusAdmitted)); err != nil {
		return "", false, fmt.Errorf("index stay: %w", err)
	}
	return prev, found, nil
}

// setStatus keeps a stay's row at its current status.
func (s *stayIndex) setStatus(ctx context.Context, tx pgx.Tx, stayID string, status domain.Status) error {
	if _, err := tx.Exec(ctx, s.statusSQL, stayID, string(status)); err != nil {
		return fmt.Errorf("update stay status: %w", err)
	}
	return nil
}
