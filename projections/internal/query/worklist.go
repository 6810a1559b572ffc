package query

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/projections/internal/access"
	"github.com/jackc/pgx/v5"
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
	// Delivery is what became of the latest notice about this discharge
	// sent to the team's webhook; absent when none was recorded (the team
	// has no webhook, or has not been sent one yet).
	Delivery *Delivery `json:"delivery,omitempty"`
}

// Delivery is the outcome of the latest attempt to POST a notice.
type Delivery struct {
	State      string    `json:"state"` // delivered, failing, dead
	Attempts   int       `json:"failedAttempts"`
	RecordedAt time.Time `json:"recordedAt"`
}

// TeamWebhook is the latest delivery attempt to a team's webhook: whether
// the team is being told at all.
type TeamWebhook struct {
	State         string     `json:"state"` // delivered, failing, dead
	Sequence      int64      `json:"sequence"`
	Attempts      int        `json:"failedAttempts"`
	LastError     string     `json:"lastError,omitempty"`
	NextAttemptAt *time.Time `json:"nextAttemptAt,omitempty"`
	RecordedAt    time.Time  `json:"recordedAt"`
}

// Worklist is a team's discharges, soonest follow-up first.
type Worklist struct {
	Team       string      `json:"team"`
	AsOf       time.Time   `json:"asOf"`
	Discharges []Discharge `json:"discharges"`
	// Webhook is absent for a team that has had nothing sent to a webhook.
	Webhook   *TeamWebhook  `json:"webhook,omitempty"`
	Freshness ViewFreshness `json:"freshness"`
}

// worklist serves a community team's discharges: open follow-ups (overdue
// ones flagged against the time of the request), and those completed,
// missed or retracted, so a cancelled discharge is seen as such; and
// whether the team's webhook has been told of each.
func (a *API) worklist(w http.ResponseWriter, r *http.Request) {
	team := r.PathValue("team")
	if !isToken(team) {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("team", "must be a directory id such as team-severn-ict"))
		return
	}
	d, ok := a.authorize(w, r, access.ReadWorklist, "", func(context.Context, auth.Principal) (access.Facts, error) {
		t, _ := a.dir.Team(team)
		return access.Facts{Team: team, TeamAreas: t.Areas}, nil
	})
	if !ok {
		return
	}
	l, err := a.readWorklist(r.Context(), team, time.Now().UTC())
	if err == nil {
		shown := make([]string, 0, len(l.Discharges))
		for _, x := range l.Discharges {
			shown = append(shown, x.Patient)
		}
		err = a.audited(r, access.ReadWorklist, shown, d)
	}
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
	var hook TeamWebhook
	err = a.pool.QueryRow(ctx, `SELECT state, sequence, attempts, last_error, next_attempt_at, recorded_at FROM `+schema+`.team_webhooks WHERE team = $1`, team).
		Scan(&hook.State, &hook.Sequence, &hook.Attempts, &hook.LastError, &hook.NextAttemptAt, &hook.RecordedAt)
	switch {
	case err == nil:
		l.Webhook = &hook
	case !errors.Is(err, pgx.ErrNoRows):
		return l, fmt.Errorf("read team webhook: %w", err)
	}
	rows, err := a.pool.Query(ctx, `SELECT stay, patient, area, pathway, needs, destination, discharged_at, due_by, status, outcome,
			delivery, delivery_attempts, delivery_at
		FROM `+schema+`.discharge_worklist WHERE team = $1 ORDER BY (status = 'assigned') DESC, due_by, stay LIMIT 1000`, team)
	if err != nil {
		return l, fmt.Errorf("read worklist: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d Discharge
		var delivery Delivery
		var deliveredAt *time.Time
		if err := rows.Scan(&d.Stay, &d.Patient, &d.Area, &d.Pathway, &d.Needs, &d.Destination, &d.DischargedAt, &d.DueBy, &d.Status, &d.Outcome,
			&delivery.State, &delivery.Attempts, &deliveredAt); err != nil {
			return l, fmt.Errorf("read worklist: %w", err)
		}
		if delivery.State != "" && deliveredAt != nil {
			delivery.RecordedAt = *deliveredAt
			d.Delivery = &delivery
		}
		d.Overdue = d.Status == "assigned" && now.After(d.DueBy)
		d.DueByLondon = d.DueBy.In(a.london).Format("Mon 2 Jan 2006, 15:04 MST")
		d.Path = "/v1/stays/" + d.Stay
		l.Discharges = append(l.Discharges, d)
	}
	return l, rows.Err()
}
