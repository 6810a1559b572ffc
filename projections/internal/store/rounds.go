package store

import (
	"context"

	"github.com/careweave/careweave/events"
	ch "github.com/careweave/careweave/events/carehomes"
)

// ApplyRounds applies a care-home round event to the round board. A
// round's events share a partition (their key is the round's stream), so
// they arrive in order, each once.
func (s *Store) ApplyRounds(ctx context.Context, w Writer, env events.Envelope, data events.Data) error {
	t := s.schema
	switch e := data.(type) {
	case ch.RoundScheduled:
		return s.exec(ctx, w, `INSERT INTO `+t+`.care_home_rounds (round, care_home, area, week, planned_start, clinical_lead, status, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7) ON CONFLICT (round) DO NOTHING`,
			e.RoundID, e.CareHomeID, e.Area, e.Week, e.PlannedStart, e.ClinicalLead, env.Time)
	case ch.ResidentNominated:
		return s.exec(ctx, w, `INSERT INTO `+t+`.round_residents (round, patient, nominated_by, reason, priority, status)
			VALUES ($1, $2, $3, $4, $5, 'nominated')
			ON CONFLICT (round, patient) DO UPDATE SET nominated_by = excluded.nominated_by, reason = excluded.reason,
				priority = excluded.priority, status = 'nominated', outcome = ''`,
			e.RoundID, e.Patient, string(e.NominatedBy), e.Reason, string(e.Priority))
	case ch.NominationWithdrawn:
		return s.resident(ctx, w, e.RoundID, e.Patient, "withdrawn", e.Reason)
	case ch.ResidentReviewed:
		return s.resident(ctx, w, e.RoundID, e.Patient, "reviewed", e.Outcome)
	case ch.ResidentNotReviewed:
		return s.resident(ctx, w, e.RoundID, e.Patient, "not-reviewed", string(e.Reason))
	case ch.RoundHeld:
		return s.exec(ctx, w, `UPDATE `+t+`.care_home_rounds SET status = 'held', started_at = $2, ended_at = $3, updated_at = $4 WHERE round = $1`,
			e.RoundID, e.StartedAt, e.EndedAt, env.Time)
	case ch.RoundClosed:
		return s.exec(ctx, w, `UPDATE `+t+`.care_home_rounds SET status = 'closed', updated_at = $2 WHERE round = $1`, e.RoundID, env.Time)
	case ch.RoundCancelled:
		return s.exec(ctx, w, `UPDATE `+t+`.care_home_rounds SET status = 'cancelled', status_reason = $2, updated_at = $3 WHERE round = $1`,
			e.RoundID, e.Reason, env.Time)
	case ch.ActionRaised:
		owner := e.OwnerClinicianID
		if owner == "" {
			owner = e.OwnerTeamID
		}
		return s.exec(ctx, w, `INSERT INTO `+t+`.round_actions (round, action_id, patient, description, owner, due_on, status)
			VALUES ($1, $2, $3, $4, $5, $6, 'open') ON CONFLICT (round, action_id) DO NOTHING`,
			e.RoundID, e.ActionID, e.Patient, e.Description, owner, e.DueOn.Time())
	case ch.ActionCompleted:
		return s.exec(ctx, w, `UPDATE `+t+`.round_actions SET status = 'completed', completed_at = $3 WHERE round = $1 AND action_id = $2`,
			e.RoundID, e.ActionID, e.CompletedAt)
	}
	return nil
}

func (s *Store) resident(ctx context.Context, w Writer, round, patient, status, outcome string) error {
	return s.exec(ctx, w, `UPDATE `+s.schema+`.round_residents SET status = $3, outcome = $4 WHERE round = $1 AND patient = $2`,
		round, patient, status, outcome)
}
