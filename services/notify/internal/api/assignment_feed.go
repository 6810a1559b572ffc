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
func (a *API) assignmentFeed(w http.ResponseWriter, r *http.Request) {
	clinician, ok := a.clinician(w, r)
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
	for {
		envs, err := a.store.Load(ctx, stream, after)
		if err != nil {
			if ctx.Err() == nil {
				a.logger.Warn("live feed stopped", "stream_id", stream, "err", err)
			}
			return
		}
		for _, env := range envs {
			data, ok, err := a.feedNotice(env)
			if err != nil {
				a.logger.Error("live feed stopped: a stored notice does not decode", "stream_id", stream, "event_id", env.ID.String(), "err", err)
				return
			}
			if ok {
				if _, err := fmt.Fprintf(w, "id: %s\nevent: assignment\ndata: %s\n\n", formatEventID(env.StreamVersion), data); err != nil {
					return
				}
			}
			after = env.StreamVersion
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
	}
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

// feedNotice encodes env's notice as the feed sends it; ok is false for a
// notice that is not an assignment's (a feed id that is a team's too).
func (a *API) feedNotice(env events.Envelope) (data []byte, ok bool, err error) {
	d, err := a.registry.Decode(env)
	if err != nil {
		return nil, false, err
	}
	n, ok := d.(notify.AssignmentNotice)
	if !ok {
		return nil, false, nil
	}
	data, err = json.Marshal(FeedNotice{AssignmentNotice: n, EventID: env.ID.String(), Time: env.Time})
	return data, err == nil, err
}
