package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/pgkit"
)

// reviewIndex is the review_index table: each review's patient and status.
type reviewIndex struct {
	pool                       *pgxpool.Pool
	putSQL, openSQL, existsSQL string
}

func newReviewIndex(pool *pgxpool.Pool, schema string) *reviewIndex {
	return &reviewIndex{
		pool: pool,
		putSQL: `INSERT INTO ` + schema + `.review_index (review, patient, status) VALUES ($1, $2, $3)
			ON CONFLICT (review) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
			WHERE review_index.status <> EXCLUDED.status`,
		existsSQL: `SELECT EXISTS (SELECT 1 FROM ` + schema + `.review_index WHERE review = $1)`,
		openSQL: `SELECT review FROM ` + schema + `.review_index
			WHERE patient = $1 AND status IN ('identified', 'invited', 'booked', 'did-not-attend')`,
	}
}

// put records a review's status on tx. A second open review of one patient
// is a conflict naming the open one. The insert runs under a savepoint, so
// after a refusal the open review is read on the same transaction: a
// command never waits for a second connection while it holds one.
func (x *reviewIndex) put(ctx context.Context, tx pgx.Tx, review, patient, status string) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return fmt.Errorf("index review: %w", err)
	}
	_, err = sp.Exec(ctx, x.putSQL, review, patient, status)
	if c, ok := pgkit.IsUniqueViolation(err); ok && c == "review_index_one_open_per_patient" {
		if err := sp.Rollback(ctx); err != nil {
			return fmt.Errorf("index review: %w", err)
		}
		return x.alreadyOpen(ctx, tx, patient)
	}
	if err != nil {
		return fmt.Errorf("index review: %w", err)
	}
	return sp.Commit(ctx)
}

// alreadyOpen answers with the patient's open review, so the caller can
// carry on with that one; the index refused because it is committed.
func (x *reviewIndex) alreadyOpen(ctx context.Context, tx pgx.Tx, patient string) error {
	var open string
	err := tx.QueryRow(ctx, x.openSQL, patient).Scan(&open)
	if errors.Is(err, pgx.ErrNoRows) {
		open = "(closed since)"
	} else if err != nil {
		return fmt.Errorf("find open review: %w", err)
	}
	return &httpkit.Error{Kind: httpkit.KindConflict,
		Message: "the patient already has an open medication review: " + open,
		Fields:  []httpkit.FieldError{{Field: "patient", Reason: "has open review " + open}}}
}

// exists reports whether review was ever identified.
func (x *reviewIndex) exists(ctx context.Context, review string) (bool, error) {
	var ok bool
	if err := x.pool.QueryRow(ctx, x.existsSQL, review).Scan(&ok); err != nil {
		return false, fmt.Errorf("look up review: %w", err)
	}
	return ok, nil
}
