package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/careweave/careweave/events"
	hv "github.com/careweave/careweave/events/homevisits"
)

// boardSQL are the assignment board's statements, per schema.
type boardSQL struct {
	assign, window, status string
}

func newBoardSQL(schema string) boardSQL {
	t := schema + ".assignment_board"
	return boardSQL{
		assign: `INSERT INTO ` + t + ` (visit, patient, area, clinician, role, urgency, not_before, visit_by, status, stream_version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'assigned', $9, $10)
			ON CONFLICT (visit) DO UPDATE SET clinician = excluded.clinician, role = excluded.role, urgency = excluded.urgency,
				not_before = excluded.not_before, visit_by = excluded.visit_by, status = 'assigned',
				stream_version = excluded.stream_version, updated_at = excluded.updated_at, closed_at = NULL
			WHERE assignment_board.stream_version < excluded.stream_version`,
		window: `UPDATE ` + t + ` SET urgency = $2, not_before = $3, visit_by = $4, stream_version = $5, updated_at = $6
			WHERE visit = $1 AND stream_version < $5`,
		status: `UPDATE ` + t + ` SET status = $2, stream_version = $3, updated_at = $4,
			closed_at = CASE WHEN $5 THEN $4 ELSE closed_at END
			WHERE visit = $1 AND stream_version < $3`,
	}
}

// closing are the visit states that take a visit off a clinician's board
// for good. A declined or timed-out visit is still open, waiting to be
// reassigned: the board query leaves those out by status instead.
var closing = map[string]bool{"completed": true, "no-access": true, "cancelled": true, "escalated": true, "triaged-no-visit": true}

// ApplyBoard applies a home-visit event to the assignment board. Events of
// other services change nothing. A visit's events are applied in stream
// order, and an older event than the row holds changes nothing.
func (s *Store) ApplyBoard(ctx context.Context, w Writer, env events.Envelope, data events.Data) error {
	visit, ok := strings.CutPrefix(env.StreamID, "visit-")
	if !ok {
		return nil
	}
	var status string
	switch e := data.(type) {
	case hv.VisitAssigned:
		return s.exec(ctx, w, s.board.assign, visit, env.Subject, env.Area, e.ClinicianID, string(e.Role), e.Urgency, e.Window.NotBefore, e.Window.VisitBy, env.StreamVersion, env.Time)
	case hv.VisitReassigned:
		return s.exec(ctx, w, s.board.assign, visit, env.Subject, env.Area, e.ClinicianID, string(e.Role), e.Urgency, e.Window.NotBefore, e.Window.VisitBy, env.StreamVersion, env.Time)
	case hv.VisitTriaged:
		return s.exec(ctx, w, s.board.window, visit, e.Urgency, e.Window.NotBefore, e.Window.VisitBy, env.StreamVersion, env.Time)
	case hv.AssignmentAccepted:
		status = "accepted"
	case hv.AssignmentDeclined:
		status = "declined"
	case hv.AssignmentTimedOut:
		status = "timed-out"
	case hv.TravelStarted:
		status = "en-route"
	case hv.ClinicianArrived:
		status = "on-site"
	case hv.VisitCompleted:
		status = "completed"
	case hv.NoAccessRecorded:
		status = "no-access"
	case hv.VisitCancelled:
		status = "cancelled"
	case hv.VisitEscalated:
		status = "escalated"
	case hv.TriagedWithoutVisit:
		status = "triaged-no-visit"
	default:
		return nil
	}
	return s.exec(ctx, w, s.board.status, visit, status, env.StreamVersion, env.Time, closing[status])
}

func (s *Store) exec(ctx context.Context, w Writer, sql string, args ...any) error {
	if _, err := w.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("update operational view: %w", err)
	}
	return nil
}
