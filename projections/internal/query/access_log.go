package query

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/projections/internal/access"
)

// AccessLogActor is who accessed the record, as their token named them.
type AccessLogActor struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	Org  string `json:"org,omitempty"`
	PCN  string `json:"pcn,omitempty"`
	Team string `json:"team,omitempty"`
}

// AccessLogEntry is one line of a patient's access log: an access, allowed
// or denied, or a break-glass grant.
type AccessLogEntry struct {
	EventID string         `json:"eventId"`
	Kind    string         `json:"kind"` // access, break-glass-granted
	At      time.Time      `json:"at"`
	Actor   AccessLogActor `json:"actor"`
	// Action and Resource say what was done to what; a grant has neither.
	Action   string `json:"action,omitempty"`
	Resource string `json:"resource,omitempty"`
	Basis    string `json:"basis"`
	Reason   string `json:"reason,omitempty"`
	Outcome  string `json:"outcome"`
	// Status is the HTTP status the access was answered with; a grant has
	// none.
	Status    int    `json:"status,omitempty"`
	RequestID string `json:"requestId,omitempty"`
	TokenID   string `json:"tokenId,omitempty"`
	// RecordedBy is the service that served the access and recorded it.
	RecordedBy string `json:"recordedBy"`
	// Until is when a break-glass grant lapses.
	Until *time.Time `json:"until,omitempty"`
}

// AccessLogPage is one page of a patient's access log, newest first.
type AccessLogPage struct {
	Patient    string           `json:"patient"`
	Entries    []AccessLogEntry `json:"entries"`
	NextCursor string           `json:"nextCursor,omitempty"`
	Freshness  ViewFreshness    `json:"freshness"`
}

// accessLogCursor is the keyset position after the last entry of a page.
type accessLogCursor struct {
	At      time.Time `json:"a"`
	EventID string    `json:"e"`
}

type accessLogFilters struct {
	after    *accessLogCursor
	limit    int
	from, to *time.Time
}

func parseAccessLogFilters(q map[string][]string) (accessLogFilters, error) {
	f := accessLogFilters{limit: 50}
	if v := first(q, "limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return f, httpkit.Invalid("limit", "must be a whole number from 1 to 500")
		}
		f.limit = n
	}
	if v := first(q, "cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		var c accessLogCursor
		if err != nil || json.Unmarshal(raw, &c) != nil || c.At.IsZero() {
			return f, httpkit.Invalid("cursor", "is not a cursor this API returned")
		}
		if _, err := events.ParseID(c.EventID); err != nil {
			return f, httpkit.Invalid("cursor", "is not a cursor this API returned")
		}
		f.after = &c
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.from}, {"to", &f.to}} {
		if v := first(q, p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, httpkit.Invalid(p.name, "must be an RFC 3339 time such as 2026-11-23T09:00:00Z")
			}
			*p.dst = &t
		}
	}
	if f.from != nil && f.to != nil && !f.to.After(*f.from) {
		return f, httpkit.Invalid("to", "must be after from")
	}
	return f, nil
}

// accessLog serves who read or changed a patient's data, newest first:
// every access, allowed or denied, and every break-glass grant.
func (a *API) accessLog(w http.ResponseWriter, r *http.Request) {
	patient := r.PathValue("patient")
	if _, err := events.ParseID(patient); err != nil {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("patient", "must be a patient reference"))
		return
	}
	f, err := parseAccessLogFilters(r.URL.Query())
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	// Reading who looked is itself a look: it is on the trail too.
	d, ok := a.authorize(w, r, access.ReadAccessLog, patient, a.forPatient(patient))
	if !ok {
		return
	}
	page, err := a.readAccessLog(r.Context(), patient, f)
	if err == nil {
		err = a.audited(r, access.ReadAccessLog, []string{patient}, d)
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, page)
}

// readAccessLog reads the freshness first, then the entries: what the page
// shows is at least as fresh as it claims.
func (a *API) readAccessLog(ctx context.Context, patient string, f accessLogFilters) (AccessLogPage, error) {
	p := AccessLogPage{Patient: patient, Entries: []AccessLogEntry{}}
	var err error
	var schema string
	if p.Freshness, schema, err = a.viewFreshness(ctx); err != nil {
		return p, err
	}
	sql := `SELECT event_id::text, at, kind, actor_id, actor_role, actor_org, actor_pcn, actor_team, action, resource, basis, reason, outcome,
		coalesce(status, 0), request_id, token_id, service, until
		FROM ` + schema + `.access_log WHERE patient = $1`
	args := []any{patient}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.after != nil {
		sql += ` AND (at, event_id) < (` + arg(f.after.At) + `, ` + arg(f.after.EventID) + `::uuid)`
	}
	if f.from != nil {
		sql += ` AND at >= ` + arg(*f.from)
	}
	if f.to != nil {
		sql += ` AND at < ` + arg(*f.to)
	}
	sql += ` ORDER BY at DESC, event_id DESC LIMIT ` + arg(f.limit+1)
	rows, err := a.pool.Query(ctx, sql, args...)
	if err != nil {
		return p, fmt.Errorf("read access log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AccessLogEntry
		if err := rows.Scan(&e.EventID, &e.At, &e.Kind, &e.Actor.ID, &e.Actor.Role, &e.Actor.Org, &e.Actor.PCN, &e.Actor.Team, &e.Action, &e.Resource,
			&e.Basis, &e.Reason, &e.Outcome, &e.Status, &e.RequestID, &e.TokenID, &e.RecordedBy, &e.Until); err != nil {
			return p, fmt.Errorf("read access log: %w", err)
		}
		if len(p.Entries) == f.limit {
			last := p.Entries[len(p.Entries)-1]
			b, _ := json.Marshal(accessLogCursor{At: last.At, EventID: last.EventID})
			p.NextCursor = base64.RawURLEncoding.EncodeToString(b)
			break
		}
		p.Entries = append(p.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("read access log: %w", err)
	}
	return p, nil
}
