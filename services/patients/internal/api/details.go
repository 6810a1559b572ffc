package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// details are a patient's personal details.
type details struct {
	Patient    string
	NHSNumber  string
	GivenName  string
	FamilyName string
	BirthDate  time.Time
}

// detailsStore keeps personal details in the registry's schema.
type detailsStore struct {
	pool                                        *pgxpool.Pool
	insertSQL, updateSQL, byRefSQL, byNumberSQL string
}

func newDetailsStore(pool *pgxpool.Pool, schema string) *detailsStore {
	t := "INSERT INTO " + schema + ".patient_details"
	return &detailsStore{
		pool:        pool,
		insertSQL:   t + ` (patient, nhs_number, given_name, family_name, birth_date) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (nhs_number) DO NOTHING`,
		updateSQL:   `UPDATE ` + schema + `.patient_details SET given_name = $2, family_name = $3, birth_date = $4, updated_at = now() WHERE patient = $1`,
		byRefSQL:    `SELECT patient, nhs_number, given_name, family_name, birth_date FROM ` + schema + `.patient_details WHERE patient = $1`,
		byNumberSQL: `SELECT patient, nhs_number, given_name, family_name, birth_date FROM ` + schema + `.patient_details WHERE nhs_number = $1`,
	}
}

// numberTakenError means another patient holds the NHS number.
type numberTakenError struct{ holder string }

func (e *numberTakenError) Error() string { return "nhs number already registered" }

// insert claims d's NHS number for d.Patient, on the registration's
// transaction. If another patient holds it (perhaps committed a moment ago
// by a concurrent registration, which the insert waits for), it returns a
// *numberTakenError naming them, read on the same transaction: a command
// never waits for a second connection while it holds one.
func (s *detailsStore) insert(ctx context.Context, tx pgx.Tx, d details) error {
	tag, err := tx.Exec(ctx, s.insertSQL, d.Patient, d.NHSNumber, d.GivenName, d.FamilyName, d.BirthDate)
	if err != nil {
		return fmt.Errorf("store patient details: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	holder, ok, err := s.one(ctx, tx, s.byNumberSQL, d.NHSNumber)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("store patient details: the NHS number is held, but by no one")
	}
	return &numberTakenError{holder: holder.Patient}
}

func (s *detailsStore) update(ctx context.Context, tx pgx.Tx, d details) error {
	if _, err := tx.Exec(ctx, s.updateSQL, d.Patient, d.GivenName, d.FamilyName, d.BirthDate); err != nil {
		return fmt.Errorf("update patient details: %w", err)
	}
	return nil
}

func (s *detailsStore) byRef(ctx context.Context, ref string) (details, bool, error) {
	return s.one(ctx, s.pool, s.byRefSQL, ref)
}

func (s *detailsStore) byNumber(ctx context.Context, nhsNumber string) (details, bool, error) {
	return s.one(ctx, s.pool, s.byNumberSQL, nhsNumber)
}

func (s *detailsStore) one(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sql, arg string) (details, bool, error) {
	var d details
	err := q.QueryRow(ctx, sql, arg).Scan(&d.Patient, &d.NHSNumber, &d.GivenName, &d.FamilyName, &d.BirthDate)
	if errors.Is(err, pgx.ErrNoRows) {
		return details{}, false, nil
	}
	if err != nil {
		return details{}, false, fmt.Errorf("read patient details: %w", err)
	}
	return d, true, nil
}
