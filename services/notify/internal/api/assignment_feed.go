package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/httpkit"
)

// The live feed looks for new notices every feedPoll, and sends a comment
// every keepAlive so proxies do not close it while nothing happens.
const (
	feedPoll  = 250 * time.Millisecond
	keepAlive = 15 * time.Second
)

// FeedNotice is the data of one event on the live feed: the notice, the id
// of the event that carries it, and when what it reports happened.
type FeedNotice struct {
	notify.AssignmentNotice
	EventID string    `json:"eventId"`
	Time    time.Time `json:"time"`
}

// assignmentFeed serves the clinician's notices as Server-Sent Events: each
// one after Last-Event-ID (or, on a first connection, from the start of the
// feed) as "event: assignment" with its feed version as the id. Versions
// are never reused, so a reconnect resumes without missing or repeating one.
//
// Each patient the feed shows is recorded as read (read-assignments, on the
// policy's basis) once per connection, before the first notice about them
// is sent: the notices it sends first are recorded before the response
// starts (503, and nothing sent, if they cannot be), and a later notice
// about a patient this connection has not shown yet is recorded before it
// is sent. If that record cannot be stored the feed ends without sending
// it; the client resumes with Last-Event-ID and misses nothing.
func (a *API) assignmentFeed(w http.ResponseWriter, r *http.Request) {
	clinician, basis, ok := a.clinician(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	after, err := a.resumeAfter(ctx, r.Header.Get("Last-Event-ID"), clinician)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	stream := notify.FeedStream(clinician)
	recorded := map[string]bool{}
	first, err := a.feedNotices(ctx, stream, after)
	if err == nil {
		err = a.recordReads(r, basis, unrecorded(recorded, patientsOf(first)))
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}

	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()

	poll := time.NewTicker(feedPoll)
	defer poll.Stop()
	idle := time.NewTicker(keepAlive)
	defer idle.Stop()
	notices := first
	for {
		for _, n := range notices {
			if n.data != nil {
				if _, err := fmt.Fprintf(w, "id: %s\nevent: assignment\ndata: %s\n\n", formatEventID(n.version), n.data); err != nil {
					return
				}
			}
			after = n.version
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-httpkit.Stopping(ctx):
			return
		case <-idle.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-poll.C:
		}
		if notices, err = a.feedNotices(ctx, stream, after); err != nil {
			if ctx.Err() == nil {
				a.logger.Warn("live feed stopped", "stream_id", stream, "err", err)
			}
			return
		}
		if err := a.recordReads(r, basis, unrecorded(recorded, patientsOf(notices))); err != nil {
			return // logged; the client resumes after what it was sent
		}
	}
}

// feedEntry is one event of a feed: its version, and the notice as the
// feed sends it with the patient it is about (data nil for an event the
// feed does not send).
type feedEntry struct {
	version int64
	data    []byte
	patient string
}

// feedNotices loads the feed's events after version after.
func (a *API) feedNotices(ctx context.Context, stream string, after int64) ([]feedEntry, error) {
	envs, err := a.store.Load(ctx, stream, after)
	if err != nil {
		return nil, err
	}
	out := make([]feedEntry, 0, len(envs))
	for _, env := range envs {
		data, patient, err := a.feedNotice(env)
		if err != nil {
			a.logger.Error("live feed stopped: a stored notice does not decode", "stream_id", stream, "event_id", env.ID.String(), "err", err)
			return nil, err
		}
		out = append(out, feedEntry{version: env.StreamVersion, data: data, patient: patient})
	}
	return out, nil
}

// patientsOf returns the patients the entries that are sent are about.
func patientsOf(entries []feedEntry) []string {
	var out []string
	for _, e := range entries {
		if e.data != nil {
			out = append(out, e.patient)
		}
	}
	return out
}

// resumeAfter is the feed version a client's Last-Event-ID says it has
// (0: none). An id beyond the feed came from elsewhere: waiting for it
// would silently skip the notices up to it, so it is refused too.
func (a *API) resumeAfter(ctx context.Context, lastEventID, clinician string) (int64, error) {
	if lastEventID == "" {
		return 0, nil
	}
	refused := httpkit.Invalid("Last-Event-ID", "must be an id this feed sent")
	after, err := parseEventID(lastEventID)
	if err != nil {
		return 0, refused
	}
	if after == 0 {
		return 0, nil
	}
	current, err := a.feedVersion(ctx, a.pool, clinician)
	if err != nil {
		return 0, err
	}
	if after > current {
		return 0, refused
	}
	return after, nil
}

// feedNotice encodes env's notice as the feed sends it, and says which
// patient it is about; data is nil for a notice that is not an
// assignment's (a feed id that is a team's too).
func (a *API) feedNotice(env events.Envelope) (data []byte, patient string, err error) {
	d, err := a.registry.Decode(env)
	if err != nil {
		return nil, "", err
	}
	n, ok := d.(notify.AssignmentNotice)
	if !ok {
		return nil, "", nil
	}
	data, err = json.Marshal(FeedNotice{AssignmentNotice: n, EventID: env.ID.String(), Time: env.Time})
	if err != nil {
		return nil, "", err
	}
	return data, n.Patient, nil
}
