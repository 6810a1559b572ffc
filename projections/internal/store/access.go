package store

import (
	"context"
	"strings"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
)

// Kinds of access log rows.
const (
	AccessKindAccess     = "access"
	AccessKindBreakGlass = "break-glass-granted"
)

// ApplyAccess adds an audit record to the patient's access log: every
// access, allowed or denied, and every break-glass grant. Other events
// change nothing. A record already there (a repeat) changes nothing either.
func (s *Store) ApplyAccess(ctx context.Context, w Writer, env events.Envelope, data events.Data) error {
	const insert = ` (event_id, patient, at, kind, actor_id, actor_role, actor_org, actor_pcn, actor_team, action, resource,
			basis, reason, outcome, status, request_id, token_id, service, until)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		ON CONFLICT (event_id) DO NOTHING`
	sql := `INSERT INTO ` + s.schema + `.access_log` + insert
	switch e := data.(type) {
	case access.AccessRecorded:
		return s.exec(ctx, w, sql, env.ID.String(), e.Patient, env.Time, AccessKindAccess, e.ActorID, e.Role, e.Org, e.PCN, e.Team,
			string(e.Action), e.Resource, string(e.Basis), e.Reason, string(e.Outcome), e.Status, e.RequestID, e.TokenID, env.Area, nil)
	case access.BreakGlassGranted:
		// kit/audit names the request that broke the glass as the cause.
		request, _ := strings.CutPrefix(env.CausationID, "request:")
		if request == env.CausationID {
			request = ""
		}
		return s.exec(ctx, w, sql, env.ID.String(), e.Patient, env.Time, AccessKindBreakGlass, e.ActorID, e.Role, e.Org, "", "",
			"", "", string(access.BreakGlass), e.Reason, string(access.Allowed), nil, request, "", env.Area, e.Until)
	}
	return nil
}
