package store

import (
	"context"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/events/notify"
)

type worklistSQL struct {
	assign, settle, retract, delivery, teamWebhook string
}

func newWorklistSQL(schema string) worklistSQL {
	t := schema + ".discharge_worklist"
	return worklistSQL{
		// A follow-up moved to another team moves the row; its deadline
		// stays, and what the old team was told is no longer the row's.
		assign: `INSERT INTO ` + t + ` (stay, patient, area, team, pathway, needs, destination, discharged_at, due_by, status, stream_version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'assigned', $10, $11)
			ON CONFLICT (stay) DO UPDATE SET team = excluded.team, pathway = excluded.pathway, needs = excluded.needs,
				destination = excluded.destination, discharged_at = excluded.discharged_at, due_by = excluded.due_by,
				status = 'assigned', outcome = '', stream_version = excluded.stream_version, updated_at = excluded.updated_at,
				delivery = CASE WHEN discharge_worklist.team = excluded.team THEN discharge_worklist.delivery ELSE '' END,
				delivery_attempts = CASE WHEN discharge_worklist.team = excluded.team THEN discharge_worklist.delivery_attempts ELSE 0 END,
				delivery_at = CASE WHEN discharge_worklist.team = excluded.team THEN discharge_worklist.delivery_at END,
				delivery_version = CASE WHEN discharge_worklist.team = excluded.team THEN discharge_worklist.delivery_version ELSE 0 END
			WHERE discharge_worklist.stream_version < excluded.stream_version`,
		settle: `UPDATE ` + t + ` SET status = $2, outcome = $3, stream_version = $4, updated_at = $5
			WHERE stay = $1 AND stream_version < $4 AND status = 'assigned'`,
		// A cancelled discharge retracts its follow-up whatever became of it.
		retract: `UPDATE ` + t + ` SET status = 'retracted', outcome = $2, stream_version = $3, updated_at = $4
			WHERE stay = $1 AND stream_version < $3`,
		delivery: `UPDATE ` + t + ` SET delivery = $3, delivery_attempts = $4, delivery_at = $5, delivery_version = $6
			WHERE stay = $1 AND team = $2 AND delivery_version < $6`,
		teamWebhook: `INSERT INTO ` + schema + `.team_webhooks (team, state, sequence, attempts, last_error, next_attempt_at, recorded_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (team) DO UPDATE SET state = excluded.state, sequence = excluded.sequence, attempts = excluded.attempts,
				last_error = excluded.last_error, next_attempt_at = excluded.next_attempt_at, recorded_at = excluded.recorded_at, version = excluded.version
			WHERE team_webhooks.version < excluded.version`,
	}
}

// ApplyWorklist applies a discharge event, or a record of a webhook
// delivery, to the community worklist.
func (s *Store) ApplyWorklist(ctx context.Context, w Writer, env events.Envelope, data events.Data) error {
	if d, ok := data.(notify.WebhookDelivery); ok {
		var next *time.Time
		if !d.NextAttemptAt.IsZero() {
			next = &d.NextAttemptAt
		}
		if err := s.exec(ctx, w, s.worklist.delivery, d.Stay, d.Team, string(d.State), d.Attempts, env.Time, env.StreamVersion); err != nil {
			return err
		}
		return s.exec(ctx, w, s.worklist.teamWebhook, d.Team, string(d.State), d.Sequence, d.Attempts, d.Error, next, env.Time, env.StreamVersion)
	}
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
