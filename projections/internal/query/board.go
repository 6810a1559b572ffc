package query

import (
	"context"
	"fmt"
	"net/http"
	"time"

	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/projections/internal/access"
)

// Assignment is one open visit on a clinician's board.
type Assignment struct {
	Visit        string    `json:"visit"`
	Patient      string    `json:"patient"`
	Area         string    `json:"area"`
	Role         string    `json:"role"`
	Urgency      string    `json:"urgency"`
	NotBefore    time.Time `json:"notBefore"`
	VisitBy      time.Time `json:"visitBy"`
	WindowLondon string    `json:"windowLondon"`
	Status       string    `json:"status"`
	UpdatedAt    time.Time `json:"updatedAt"`
	Path         string    `json:"path"`
}

// ViewFreshness says how far a view that draws on every partition has
// got: it reports the least advanced partition.
type ViewFreshness struct {
	Generation      int        `json:"generation"`
	Partitions      int        `json:"partitions"`
	MinStreamSeq    int64      `json:"minStreamSeq"`
	LastEventTime   *time.Time `json:"lastEventTime,omitempty"`
	OldestAppliedAt *time.Time `json:"oldestAppliedAt,omitempty"`
}

// Board is a clinician's open visits, soonest deadline first.
type Board struct {
	Clinician string        `json:"clinician"`
	Visits    []Assignment  `json:"visits"`
	Freshness ViewFreshness `json:"freshness"`
}

// board serves a clinician's open visits: assigned, accepted, en route or
// on site (declined, timed-out and closed ones are off it).
func (a *API) board(w http.ResponseWriter, r *http.Request) {
	clinician := r.PathValue("clinician")
	if !isToken(clinician) {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("clinician", "must be a directory id such as para-jess-patel"))
		return
	}
	d, ok := a.authorize(w, r, access.ReadBoard, "", func(context.Context, auth.Principal) (access.Facts, error) {
		return access.Facts{Clinician: clinician, ClinicianPCN: clinicianPCN(a.dir, clinician)}, nil
	})
	if !ok {
		return
	}
	b, err := a.readBoard(r.Context(), clinician)
	if err == nil {
		shown := make([]string, 0, len(b.Visits))
		for _, v := range b.Visits {
			shown = append(shown, v.Patient)
		}
		err = a.audited(r, access.ReadBoard, shown, d)
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, b)
}

func (a *API) readBoard(ctx context.Context, clinician string) (Board, error) {
	b := Board{Clinician: clinician, Visits: []Assignment{}}
	var err error
	var schema string
	if b.Freshness, schema, err = a.viewFreshness(ctx); err != nil {
		return b, err
	}
	rows, err := a.pool.Query(ctx, `SELECT visit, patient, area, role, urgency, not_before, visit_by, status, updated_at
		FROM `+schema+`.assignment_board WHERE clinician = $1 AND closed_at IS NULL AND status NOT IN ('declined', 'timed-out')
		ORDER BY visit_by, visit`, clinician)
	if err != nil {
		return b, fmt.Errorf("read board: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v Assignment
		if err := rows.Scan(&v.Visit, &v.Patient, &v.Area, &v.Role, &v.Urgency, &v.NotBefore, &v.VisitBy, &v.Status, &v.UpdatedAt); err != nil {
			return b, fmt.Errorf("read board: %w", err)
		}
		v.WindowLondon = hv.Window{NotBefore: v.NotBefore, VisitBy: v.VisitBy}.Format(a.london)
		v.Path = "/v1/visits/" + v.Visit
		b.Visits = append(b.Visits, v)
	}
	return b, rows.Err()
}

func isToken(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// viewFreshness reads the live generation's freshness, and returns the
// schema the rest of the request reads from, so what it reports and what it
// shows come from the same copy.
func (a *API) viewFreshness(ctx context.Context) (ViewFreshness, string, error) {
	f := ViewFreshness{}
	gen, err := a.gens.Live(ctx, a.pool)
	if err != nil {
		return f, "", err
	}
	f.Generation = gen
	schema := a.gens.Schema(gen)
	err = a.pool.QueryRow(ctx, `SELECT count(*), coalesce(min(stream_seq), 0), max(event_time), min(applied_at) FROM `+schema+`.positions`).
		Scan(&f.Partitions, &f.MinStreamSeq, &f.LastEventTime, &f.OldestAppliedAt)
	if err != nil {
		return f, "", fmt.Errorf("read freshness: %w", err)
	}
	return f, schema, nil
}
