package query

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/projections/internal/access"
)

// streamPoll is how often the live feeds' watcher looks for changes.
const streamPoll = 250 * time.Millisecond

// stream serves a patient's timeline as Server-Sent Events: every entry
// added or re-marked (retracted, superseded, ...) after the client's
// Last-Event-ID (or, on a first connection, the whole timeline), each with
// "<generation>.<change number>" as its event id, so a reconnect resumes
// without missing or repeating one. Change numbers belong to a generation of
// the read models: when a rebuild switches generations, the feed sends a
// "reset" event and then the timeline again from its start, and a client
// that resumes with an id from an earlier generation gets the same. The
// feed looks for changes when the watcher says its patient's timeline
// changed, and by itself every FeedRecheck. A comment line every 15 s keeps
// proxies from closing an idle feed.
func (a *API) stream(w http.ResponseWriter, r *http.Request) {
	patient, ok := a.patientRef(w, r)
	if !ok {
		return
	}
	var at feedPosition
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		var err error
		if at, err = parseFeedPosition(v); err != nil {
			httpkit.WriteError(w, r, a.logger, httpkit.Invalid("Last-Event-ID", "must be an id this feed sent"))
			return
		}
	}
	// One record for the feed: what it shows while open is one access.
	d, ok := a.authorize(w, r, access.ReadTimeline, patient, a.forPatient(patient))
	if !ok {
		return
	}
	ctx := r.Context()
	live, err := a.gens.Live(ctx, a.pool)
	if err == nil {
		err = a.audited(r, access.ReadTimeline, []string{patient}, d)
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	// Subscribed before the first look, so no change after it goes unnoticed.
	wake, unsubscribe := a.watch.subscribe(patient)
	defer unsubscribe()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()

	recheck := time.NewTicker(a.feedRecheck)
	defer recheck.Stop()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		if at.generation != 0 && at.generation != live {
			b, _ := json.Marshal(reset{Generation: live, Reason: "the timeline was rebuilt: what follows is the whole timeline again"})
			if _, err := fmt.Fprintf(w, "event: reset\ndata: %s\n\n", b); err != nil {
				return
			}
			at = feedPosition{}
		}
		at.generation = live
		changes, err := a.changes(ctx, a.gens.Schema(live), patient, at.change)
		if err != nil {
			if ctx.Err() == nil {
				a.logger.Warn("live feed stopped", "err", err)
			}
			return
		}
		for _, c := range changes {
			b, _ := json.Marshal(c.Entry)
			if _, err := fmt.Fprintf(w, "id: %d.%d\nevent: entry\ndata: %s\n\n", live, c.seq, b); err != nil {
				return
			}
			at.change = c.seq
		}
		if err := rc.Flush(); err != nil {
			return
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
		case <-wake:
		case <-recheck.C:
		}
		if live, err = a.gens.Live(ctx, a.pool); err != nil {
			if ctx.Err() == nil {
				a.logger.Warn("live feed stopped", "err", err)
			}
			return
		}
	}
}

// feedPosition is where a live feed has got to: a change number within a
// generation (zero: nothing sent yet).
type feedPosition struct {
	generation int
	change     int64
}

func parseFeedPosition(s string) (feedPosition, error) {
	g, c, ok := strings.Cut(s, ".")
	gen, err1 := strconv.Atoi(g)
	change, err2 := strconv.ParseInt(c, 10, 64)
	if !ok || err1 != nil || err2 != nil || gen < 1 || change < 1 {
		return feedPosition{}, errors.New("not a feed position")
	}
	return feedPosition{generation: gen, change: change}, nil
}

// reset tells a live feed's client to drop what it has: the entries that
// follow are the timeline from its start.
type reset struct {
	Generation int    `json:"generation"`
	Reason     string `json:"reason"`
}

type change struct {
	Entry
	seq int64
}

// changes returns the patient's entries changed after seq, in change order.
func (a *API) changes(ctx context.Context, schema, patient string, after int64) ([]change, error) {
	rows, err := a.pool.Query(ctx, `SELECT change_seq, event_id::text, occurred_at, recorded_at, service, event_type, category, summary,
		actor_id, actor_role, actor_org, source_service, source_aggregate, source_id, source_path, status, status_reason,
		coalesce(status_by_event::text, ''), status_at
		FROM `+schema+`.timeline WHERE patient = $1 AND change_seq > $2 ORDER BY change_seq LIMIT 500`, patient, after)
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
