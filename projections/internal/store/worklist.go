package store

import (
	"context"
	"strings"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
)

type worklistSQL struct {
	assign, settle, retract string
}

func newWorklistSQL(schema string) worklistSQL {
	t := schema + ".discharge_worklist"
	return worklistSQL{
		// A follow-up moved to another team moves the row; its deadline stays.
		assign: `INSERT INTO ` + t + ` (stay, patient, area, team, pathway, needs, destination, discharged_at, due_by, status, stream_version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'assigned', $10, $11)
			ON CONFLICT (stay) DO UPDATE SET team = excluded.team, pathway = excluded.pathway, needs = excluded.needs,
				destination = excluded.destination, discharged_at = excluded.discharged_at, due_by = excluded.due_by,
				status = 'assigned', outcome = '', stream_version = excluded.stream_version, updated_at = excluded.updated_at
			WHERE discharge_worklist.stream_version < excluded.stream_version`,
		settle: `UPDATE ` + t + ` SET status = $2, outcome = $3, stream_version = $4, updated_at = $5
			WHERE stay = $1 AND stream_version < $4 AND status = 'assigned'`,
		// A cancelled discharge retracts its follow-up whatever became of it.
		retract: `UPDATE ` + t + ` SET status = 'retracted', outcome = $2, stream_version = $3, updated_at = $4
			WHERE stay = $1 AND stream_version < $3`,
	}
}

// ApplyWorklist applies a discharge event to the community worklist.
func (s *Store) ApplyWorklist(ctx context.Context, w Writer, env events.Envelope, data events.Data) error {
	stay, ok := strings.CutPrefix(env.StreamID, "stay-")
	if !ok {
		return nil
	}
	switch e := data.(type) {
	case dc.FollowUpAssigned:
		needs := make([]string, len(e.Needs))
		for i, n := range e.Needs {
			needs[i] = string(n)
		}
		return s.exec(ctx, w, s.worklist.assign, stay, env.Subject, env.Area, e.TeamID, string(e.Pathway), needs, string(e.Destination),
			e.DischargedAt, e.DueBy, env.StreamVersion, env.Time)
	case dc.FollowUpCompleted:
		return s.exec(ctx, w, s.worklist.settle, stay, "completed", string(e.Outcome), env.StreamVersion, env.Time)
	case dc.FollowUpMissed:
		return s.exec(ctx, w, s.worklist.settle, stay, "missed", string(e.Reason), env.StreamVersion, env.Time)
	case dc.DischargeCancelled:
		return s.exec(ctx, w, s.worklist.retract, stay, string(e.Reason), env.StreamVersion, env.Time)
	}
	return nil
}
