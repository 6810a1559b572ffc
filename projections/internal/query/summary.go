package query

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/projections/internal/access"
)

// OpenItem is one piece of unfinished business for a patient.
type OpenItem struct {
	Service   string     `json:"service"`
	Kind      string     `json:"kind"`
	State     string     `json:"state"`
	Pending   int        `json:"pendingDecisions,omitempty"`
	DueAt     *time.Time `json:"dueAt,omitempty"`
	DueLondon string     `json:"dueLondon,omitempty"`
	Overdue   bool       `json:"overdue"`
	Since     time.Time  `json:"since"`
	UpdatedAt time.Time  `json:"updatedAt"`
	Path      string     `json:"path"`
}

// Summary is what is open for a patient across all services right now.
type Summary struct {
	Patient   string        `json:"patient"`
	AsOf      time.Time     `json:"asOf"`
	Open      []OpenItem    `json:"open"`
	Freshness ViewFreshness `json:"freshness"`
}

// summary serves the patient summary: soonest due first, undated last.
func (a *API) summary(w http.ResponseWriter, r *http.Request) {
	patient, ok := a.patientRef(w, r)
	if !ok {
		return
	}
	d, ok := a.authorize(w, r, access.ReadSummary, patient, a.forPatient(patient))
	if !ok {
		return
	}
	s, err := a.readSummary(r.Context(), patient, time.Now().UTC())
	if err == nil {
		err = a.audited(r, access.ReadSummary, []string{patient}, d)
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, s)
}

func (a *API) readSummary(ctx context.Context, patient string, now time.Time) (Summary, error) {
	s := Summary{Patient: patient, AsOf: now, Open: []OpenItem{}}
	var err error
	var schema string
	if s.Freshness, schema, err = a.viewFreshness(ctx); err != nil {
		return s, err
	}
	rows, err := a.pool.Query(ctx, `SELECT service, kind, state, pending, due_at, since, updated_at, path
		FROM `+schema+`.open_items WHERE patient = $1 AND open ORDER BY due_at NULLS LAST, since`, patient)
	if err != nil {
		return s, fmt.Errorf("read summary: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it OpenItem
		if err := rows.Scan(&it.Service, &it.Kind, &it.State, &it.Pending, &it.DueAt, &it.Since, &it.UpdatedAt, &it.Path); err != nil {
			return s, fmt.Errorf("read summary: %w", err)
		}
		if it.DueAt != nil {
			it.DueLondon = it.DueAt.In(a.london).Format("Mon 2 Jan 2006, 15:04 MST")
			it.Overdue = now.After(*it.DueAt)
		}
		s.Open = append(s.Open, it)
	}
	return s, rows.Err()
}
