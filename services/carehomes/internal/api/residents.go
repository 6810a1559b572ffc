package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

// residentStore keeps the residents table: each resident's current status
// in each home, written with the residency's events.
type residentStore struct {
	pool                         *pgxpool.Pool
	upsertSQL, livesSQL, listSQL string
}

func newResidentStore(pool *pgxpool.Pool, schema string) *residentStore {
	t := schema + ".residents"
	return &residentStore{
		pool: pool,
		upsertSQL: `INSERT INTO ` + t + ` (care_home, patient, residency, status, stay, admitted_at, due_on)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (care_home, patient) DO UPDATE SET residency = EXCLUDED.residency, status = EXCLUDED.status,
				stay = EXCLUDED.stay, admitted_at = EXCLUDED.admitted_at, due_on = EXCLUDED.due_on, updated_at = now()`,
		// FOR SHARE: a discharge committing meanwhile waits for the
		// nomination's transaction, so the check holds until it commits.
		livesSQL: `SELECT status FROM ` + t + ` WHERE care_home = $1 AND patient = $2 FOR SHARE`,
		listSQL: `SELECT patient, residency, status, stay, admitted_at, due_on FROM ` + t + `
			WHERE care_home = $1 AND status IN ('admitted', 'assessed', 'care-planned') ORDER BY admitted_at, patient`,
	}
}

// record writes a residency's current state.
func (s *residentStore) record(ctx context.Context, tx pgx.Tx, l aggregate.Loaded[domain.ResidencyState]) error {
	st := l.State
	if l.Version == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, s.upsertSQL, st.CareHomeID, st.Patient, l.ID, string(st.Status), st.Stay, st.AdmittedAt, st.DueOn.Time()); err != nil {
		return fmt.Errorf("record resident: %w", err)
	}
	return nil
}

// mustLiveIn refuses a patient who does not live in the home now.
func (s *residentStore) mustLiveIn(ctx context.Context, tx pgx.Tx, home, patient string) error {
	var status string
	err := tx.QueryRow(ctx, s.livesSQL, home, patient).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !domain.ResidencyStatus(status).InHome() {
		return httpkit.Invalid("patient", "does not live in the round's care home: admit them first")
	}
	if err != nil {
		return fmt.Errorf("check resident: %w", err)
	}
	return nil
}

// residentView is one current resident of a home.
type residentView struct {
	Patient    string    `json:"patient"`
	Residency  string    `json:"residency"`
	Status     string    `json:"status"`
	Stay       int       `json:"stay"`
	AdmittedAt time.Time `json:"admittedAt"`
	DueOn      string    `json:"dueOn"`
}

type residentsView struct {
	CareHomeID string         `json:"careHomeId"`
	Name       string         `json:"name"`
	Area       string         `json:"area"`
	Residents  []residentView `json:"residents"`
}

// listResidents lists who lives in a home now, with their assessment and
// care-plan due date.
func (a *API) listResidents(w http.ResponseWriter, r *http.Request) {
	h, ok := a.directory.CareHome(r.PathValue("careHome"))
	if !ok {
		httpkit.WriteError(w, r, a.logger, httpkit.Errorf(httpkit.KindNotFound, "no such care home in the directory"))
		return
	}
	d, err := a.authorize(r, policy.ListResidents, h.PCN)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	rows, err := a.residents.pool.Query(r.Context(), a.residents.listSQL, h.ID)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, fmt.Errorf("list residents: %w", err))
		return
	}
	out := residentsView{CareHomeID: h.ID, Name: h.Name, Area: h.PCN, Residents: []residentView{}}
	for rows.Next() {
		var v residentView
		var due time.Time
		if err := rows.Scan(&v.Patient, &v.Residency, &v.Status, &v.Stay, &v.AdmittedAt, &due); err != nil {
			rows.Close()
			httpkit.WriteError(w, r, a.logger, fmt.Errorf("scan resident: %w", err))
			return
		}
		v.AdmittedAt, v.DueOn = v.AdmittedAt.UTC(), due.Format(time.DateOnly)
		out.Residents = append(out.Residents, v)
	}
	if err := rows.Err(); err != nil {
		httpkit.WriteError(w, r, a.logger, fmt.Errorf("list residents: %w", err))
		return
	}
	// Each resident shown is a read of their data: one record each, all
	// stored before anything is served.
	if err := a.recordReads(r, out.Residents, d.Basis); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
}

// recordReads puts a read by the request's caller on each resident's
// trail, in one transaction: all or none.
func (a *API) recordReads(r *http.Request, residents []residentView, basis access.Basis) error {
	recs := make([]access.AccessRecorded, 0, len(residents))
	for _, v := range residents {
		rec, err := audit.Of(r, audit.Access{Patient: v.Patient, Action: access.ReadRecord, Basis: basis, Outcome: access.Allowed, Status: http.StatusOK})
		if err != nil {
			return err
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return nil
	}
	err := pgx.BeginFunc(r.Context(), a.residents.pool, func(tx pgx.Tx) error {
		for _, rec := range recs {
			if err := a.audit.RecordTx(r.Context(), tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, audit.ErrNotRecorded) {
		return &httpkit.Error{Kind: httpkit.KindUnavailable, Message: "the access could not be recorded, so it was not carried out; try again",
			Err: fmt.Errorf("%w: %w", audit.ErrNotRecorded, err)}
	}
	return err
}
