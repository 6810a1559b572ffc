package query

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/httpkit"
)

// Discharge is one discharge routed to a community team.
type Discharge struct {
	Stay         string    `json:"stay"`
	Patient      string    `json:"patient"`
	Area         string    `json:"area"`
	Pathway      string    `json:"pathway"`
	Needs        []string  `json:"needs"`
	Destination  string    `json:"destination"`
	DischargedAt time.Time `json:"dischargedAt"`
	DueBy        time.Time `json:"dueBy"`
	DueByLondon  string    `json:"dueByLondon"`
	Status       string    `json:"status"`
	Outcome      string    `json:"outcome,omitempty"`
	Overdue      bool      `json:"overdue"`
	Path         string    `json:"path"`
}

// Worklist is a team's discharges, soonest follow-up first.
type Worklist struct {
	Team       string        `json:"team"`
	AsOf       time.Time     `json:"asOf"`
	Discharges []Discharge   `json:"discharges"`
	Freshness  ViewFreshness `json:"freshness"`
}

// worklist serves a community team's discharges: open follow-ups (overdue
// ones flagged against the time of the request), and those completed,
// missed or retracted, so a cancelled discharge is seen as such.
func (a *API) worklist(w http.ResponseWriter, r *http.Request) {
	team := r.PathValue("team")
	if !isToken(team) {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("team", "must be a directory id such as team-severn-ict"))
		return
	}
	l, err := a.readWorklist(r.Context(), team, time.Now().UTC())
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, l)
}

func (a *API) readWorklist(ctx context.Context, team string, now time.Time) (Worklist, error) {
	l := Worklist{Team: team, AsOf: now, Discharges: []Discharge{}}
	var err error
	var schema string
	if l.Freshness, schema, err = a.viewFreshness(ctx); err != nil {
		return l, err
	}
	rows, err := a.pool.Query(ctx, `SELECT stay, patient, area, pathway, needs, destination, discharged_at, due_by, status, outcome
		FROM `+schema+`.discharge_worklist WHERE team = $1 ORDER BY (status = 'assigned') DESC, due_by, stay LIMIT 1000`, team)
	if err != nil {
		return l, fmt.Errorf("read worklist: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d Discharge
		if err := rows.Scan(&d.Stay, &d.Patient, &d.Area, &d.Pathway, &d.Needs, &d.Destination, &d.DischargedAt, &d.DueBy, &d.Status, &d.Outcome); err != nil {
			return l, fmt.Errorf("read worklist: %w", err)
		}
		d.Overdue = d.Status == "assigned" && now.After(d.DueBy)
		d.DueByLondon = d.DueBy.In(a.london).Format("Mon 2 Jan 2006, 15:04 MST")
		d.Path = "/v1/stays/" + d.Stay
		l.Discharges = append(l.Discharges, d)
	}
	return l, rows.Err()
}
