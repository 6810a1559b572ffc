package query

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/projections/internal/access"
)

// Round is one care-home round on the board.
type Round struct {
	Round              string          `json:"round"`
	Week               string          `json:"week"`
	PlannedStart       time.Time       `json:"plannedStart"`
	PlannedStartLondon string          `json:"plannedStartLondon"`
	ClinicalLead       string          `json:"clinicalLead"`
	Status             string          `json:"status"`
	StatusReason       string          `json:"statusReason,omitempty"`
	Residents          []RoundResident `json:"residents"`
	Actions            []RoundAction   `json:"actions"`
}

// RoundResident is a nominated resident and what became of them.
type RoundResident struct {
	Patient     string `json:"patient"`
	NominatedBy string `json:"nominatedBy"`
	Reason      string `json:"reason"`
	Priority    string `json:"priority"`
	Status      string `json:"status"`
	Outcome     string `json:"outcome,omitempty"`
}

// RoundAction is an action raised at a round.
type RoundAction struct {
	Action      string     `json:"action"`
	Patient     string     `json:"patient"`
	Description string     `json:"description"`
	Owner       string     `json:"owner"`
	DueOn       string     `json:"dueOn"`
	Status      string     `json:"status"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
}

// RoundBoard is a home's rounds, latest first.
type RoundBoard struct {
	CareHome  string        `json:"careHome"`
	Rounds    []Round       `json:"rounds"`
	Freshness ViewFreshness `json:"freshness"`
}

// rounds serves a care home's round board: upcoming and past rounds, the
// residents nominated and their outcomes, and the actions raised.
func (a *API) rounds(w http.ResponseWriter, r *http.Request) {
	home := r.PathValue("careHome")
	if !isToken(home) {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("careHome", "must be a directory id such as home-willow-court"))
		return
	}
	d, ok := a.authorize(w, r, access.ReadRoundBoard, "", func(context.Context, auth.Principal) (access.Facts, error) {
		h, _ := a.dir.CareHome(home)
		return access.Facts{CareHomePCN: h.PCN}, nil
	})
	if !ok {
		return
	}
	b, err := a.readRounds(r.Context(), home)
	if err == nil {
		var shown []string
		for _, round := range b.Rounds {
			for _, res := range round.Residents {
				shown = append(shown, res.Patient)
			}
		}
		err = a.audited(r, access.ReadRoundBoard, shown, d)
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, b)
}

func (a *API) readRounds(ctx context.Context, home string) (RoundBoard, error) {
	b := RoundBoard{CareHome: home, Rounds: []Round{}}
	var err error
	var schema string
	if b.Freshness, schema, err = a.viewFreshness(ctx); err != nil {
		return b, err
	}
	rows, err := a.pool.Query(ctx, `SELECT round, week, planned_start, clinical_lead, status, status_reason
		FROM `+schema+`.care_home_rounds WHERE care_home = $1 ORDER BY planned_start DESC LIMIT 26`, home)
	if err != nil {
		return b, fmt.Errorf("read rounds: %w", err)
	}
	index := map[string]int{}
	var ids []string
	for rows.Next() {
		var rd Round
		if err := rows.Scan(&rd.Round, &rd.Week, &rd.PlannedStart, &rd.ClinicalLead, &rd.Status, &rd.StatusReason); err != nil {
			rows.Close()
			return b, fmt.Errorf("read rounds: %w", err)
		}
		rd.PlannedStartLondon = rd.PlannedStart.In(a.london).Format("Mon 2 Jan 2006, 15:04 MST")
		rd.Residents, rd.Actions = []RoundResident{}, []RoundAction{}
		index[rd.Round] = len(b.Rounds)
		ids = append(ids, rd.Round)
		b.Rounds = append(b.Rounds, rd)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return b, err
	}
	rows, err = a.pool.Query(ctx, `SELECT round, patient, nominated_by, reason, priority, status, outcome
		FROM `+schema+`.round_residents WHERE round = ANY($1) ORDER BY round, patient`, ids)
	if err != nil {
		return b, fmt.Errorf("read round residents: %w", err)
	}
	for rows.Next() {
		var round string
		var res RoundResident
		if err := rows.Scan(&round, &res.Patient, &res.NominatedBy, &res.Reason, &res.Priority, &res.Status, &res.Outcome); err != nil {
			rows.Close()
			return b, fmt.Errorf("read round residents: %w", err)
		}
		rd := &b.Rounds[index[round]]
		rd.Residents = append(rd.Residents, res)
	}
	rows.Close()
	rows, err = a.pool.Query(ctx, `SELECT round, action_id, patient, description, owner, due_on::text, status, completed_at
		FROM `+schema+`.round_actions WHERE round = ANY($1) ORDER BY round, due_on, action_id`, ids)
	if err != nil {
		return b, fmt.Errorf("read round actions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var round string
		var act RoundAction
		if err := rows.Scan(&round, &act.Action, &act.Patient, &act.Description, &act.Owner, &act.DueOn, &act.Status, &act.CompletedAt); err != nil {
			return b, fmt.Errorf("read round actions: %w", err)
		}
		rd := &b.Rounds[index[round]]
		rd.Actions = append(rd.Actions, act)
	}
	return b, rows.Err()
}
