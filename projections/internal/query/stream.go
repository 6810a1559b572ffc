package query

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/httpkit"
)

// streamPoll is how often a live feed looks for changes.
const streamPoll = 250 * time.Millisecond

// stream serves a patient's timeline as Server-Sent Events: every entry
// added or re-marked (retracted, superseded, ...) after the client's
// Last-Event-ID (or, on a first connection, the whole timeline), each with
// its change number as the event id, so a reconnect resumes without
// missing or repeating one. A comment line every 15 s keeps proxies from
// closing an idle feed.
func (a *API) stream(w http.ResponseWriter, r *http.Request) {
	patient := r.PathValue("patient")
	if _, err := events.ParseID(patient); err != nil {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("patient", "must be a patient reference"))
		return
	}
	var last int64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			httpkit.WriteError(w, r, a.logger, httpkit.Invalid("Last-Event-ID", "must be an id this feed sent"))
			return
		}
		last = n
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()

	ctx := r.Context()
	poll := time.NewTicker(streamPoll)
	defer poll.Stop()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		changes, err := a.changes(ctx, patient, last)
		if err != nil {
			if ctx.Err() == nil {
				a.logger.Warn("live feed stopped", "err", err)
			}
			return
		}
		for _, c := range changes {
			b, _ := json.Marshal(c.Entry)
			if _, err := fmt.Fprintf(w, "id: %d\nevent: entry\ndata: %s\n\n", c.seq, b); err != nil {
				return
			}
			last = c.seq
		}
		if len(changes) > 0 {
			if err := rc.Flush(); err != nil {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-httpkit.Stopping(ctx):
			return
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-poll.C:
		}
	}
}

type change struct {
	Entry
	seq int64
}

// changes returns the patient's entries changed after seq, in change order.
func (a *API) changes(ctx context.Context, patient string, after int64) ([]change, error) {
	rows, err := a.pool.Query(ctx, `SELECT change_seq, event_id::text, occurred_at, recorded_at, service, event_type, category, summary,
		actor_id, actor_role, actor_org, source_service, source_aggregate, source_id, source_path, status, status_reason,
		coalesce(status_by_event::text, ''), status_at
		FROM `+a.schema+`.timeline WHERE patient = $1 AND change_seq > $2 ORDER BY change_seq LIMIT 500`, patient, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []change
	for rows.Next() {
		var c change
		e := &c.Entry
		if err := rows.Scan(&c.seq, &e.EventID, &e.OccurredAt, &e.RecordedAt, &e.Service, &e.EventType, &e.Category, &e.Summary,
			&e.Actor.ID, &e.Actor.Role, &e.Actor.Org, &e.Source.Service, &e.Source.Aggregate, &e.Source.ID, &e.Source.Path,
			&e.Status, &e.StatusReason, &e.StatusByEvent, &e.StatusAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
