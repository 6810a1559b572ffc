package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/kit/pgkit"
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
		insertSQL:   t + ` (patient, nhs_number, given_name, family_name, birth_date) VALUES ($1, $2, $3, $4, $5)`,
		updateSQL:   `UPDATE ` + schema + `.patient_details SET given_name = $2, family_name = $3, birth_date = $4, updated_at = now() WHERE patient = $1`,
		byRefSQL:    `SELECT patient, nhs_number, given_name, family_name, birth_date FROM ` + schema + `.patient_details WHERE patient = $1`,
		byNumberSQL: `SELECT patient, nhs_number, given_name, family_name, birth_date FROM ` + schema + `.patient_details WHERE nhs_number = $1`,
	}
}

// errNumberTaken means another reference holds the NHS number.
var errNumberTaken = errors.New("nhs number already registered")

func (s *detailsStore) insert(ctx context.Context, tx pgx.Tx, d details) error {
	_, err := tx.Exec(ctx, s.insertSQL, d.Patient, d.NHSNumber, d.GivenName, d.FamilyName, d.BirthDate)
	if c, ok := pgkit.IsUniqueViolation(err); ok && c == "patient_details_nhs_number_key" {
		return errNumberTaken
	}
	if err != nil {
		return fmt.Errorf("store patient details: %w", err)
	}
	return nil
}

func (s *detailsStore) update(ctx context.Context, tx pgx.Tx, d details) error {
	if _, err := tx.Exec(ctx, s.updateSQL, d.Patient, d.GivenName, d.FamilyName, d.BirthDate); err != nil {
		return fmt.Errorf("update patient details: %w", err)
	}
	return nil
}

func (s *detailsStore) byRef(ctx context.Context, ref string) (details, bool, error) {
	return s.one(ctx, s.byRefSQL, ref)
}

func (s *detailsStore) byNumber(ctx context.Context, nhsNumber string) (details, bool, error) {
	return s.one(ctx, s.byNumberSQL, nhsNumber)
}

func (s *detailsStore) one(ctx context.Context, sql, arg string) (details, bool, error) {
	var d details
	err := s.pool.QueryRow(ctx, sql, arg).Scan(&d.Patient, &d.NHSNumber, &d.GivenName, &d.FamilyName, &d.BirthDate)
	if errors.Is(err, pgx.ErrNoRows) {
		return details{}, false, nil
	}
	if err != nil {
		return details{}, false, fmt.Errorf("read patient details: %w", err)
	}
	return d, true, nil
}
