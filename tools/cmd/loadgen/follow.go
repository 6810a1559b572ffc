package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// follower measures end-to-end latency: from a command's answer to its
// entries being on the patient's timeline, for a sample of the accepted
// commands. It follows each sampled patient's live feed (the query API's
// GET /v1/patients/{patient}/timeline/stream, Server-Sent Events) rather
// than polling the timeline: every read is an audited access, an event the
// projector applies too, and a feed is one access for as long as it stays
// open, so following a lagging projection does not add to its load.
type follower struct {
	client     *client
	http       *http.Client // no timeout: a feed stays open
	from       time.Time    // entries occurring before it are not the run's
	sample     float64
	maxStreams int
	idle       time.Duration // a feed with nothing pending is closed after this

	mu         sync.Mutex
	rng        *rand.Rand
	ctx        context.Context
	feeds      map[string]*feed // by patient reference
	closed     bool             // stopping: no more commands are followed
	wg         sync.WaitGroup
	lat        []time.Duration
	timeouts   int
	dropped    int // not followed: over the cap, or still pending when stopped
	capped     int // of dropped, over the cap of open feeds
	opened     int // feeds opened, each one audited read
	reconnects int
	peak       int // feeds open at once, at most
}

// feed is one patient's open live feed and the followed commands waiting
// for their entries on it.
type feed struct {
	cancel  context.CancelFunc
	seen    map[string]bool        // entry event ids counted
	arrived map[string][]time.Time // service/aggregate → when each of its entries arrived
	pending []followReq
	idle    time.Time // since when nothing is pending
}

type followReq struct {
	a    accepted
	want int // the aggregate's entries on the timeline once a's are
}

// followTimeout is how long a sampled command is followed before it counts
// as not seen (verification then says whether it was lost).
const followTimeout = 60 * time.Second

// maxFeeds caps the live feeds open at once; a sampled command for another
// patient beyond it is not followed (and counted).
const maxFeeds = 200

func newFollower(c *client, seed int64, sample float64, from time.Time) *follower {
	return &follower{client: c, http: &http.Client{Transport: c.http.Transport}, from: from, sample: sample,
		maxStreams: maxFeeds, idle: 5 * time.Second, rng: rand.New(rand.NewPCG(uint64(seed), 0xe2e)), feeds: map[string]*feed{}}
}

// run starts following: feeds end with ctx. The returned stop follows no
// more commands, and gives those still pending up to drain to be seen; the
// rest count as not followed.
func (f *follower) run(ctx context.Context) (stop func(drain time.Duration)) {
	ctx, cancel := context.WithCancel(ctx)
	f.mu.Lock()
	f.ctx = ctx
	f.mu.Unlock()
	f.wg.Go(func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				f.expire(now)
			}
		}
	})
	return func(drain time.Duration) {
		f.mu.Lock()
		f.closed = true
		f.mu.Unlock()
		for deadline := time.Now().Add(drain); time.Now().Before(deadline) && f.pending() > 0; {
			sleep(ctx, 100*time.Millisecond)
		}
		f.mu.Lock()
		for _, fd := range f.feeds {
			f.dropped += len(fd.pending)
			fd.pending = nil
		}
		f.mu.Unlock()
		cancel()
		f.wg.Wait()
	}
}

// maybe follows a, sampled: its patient's feed is opened if it is not open.
func (f *follower) maybe(ref string, a accepted, want int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || f.ctx == nil || f.rng.Float64() >= f.sample {
		return
	}
	fd := f.feeds[ref]
	if fd == nil {
		if len(f.feeds) >= f.maxStreams {
			f.dropped++
			f.capped++
			return
		}
		ctx, cancel := context.WithCancel(f.ctx)
		fd = &feed{cancel: cancel, seen: map[string]bool{}, arrived: map[string][]time.Time{}, idle: time.Now()}
		f.feeds[ref] = fd
		f.opened++
		f.peak = max(f.peak, len(f.feeds))
		f.wg.Go(func() { f.follow(ctx, ref, fd) })
	}
	r := followReq{a: a, want: want}
	if !f.seenLocked(fd, r) {
		fd.pending = append(fd.pending, r)
	}
}

// seenLocked records r's latency if its entries have arrived.
func (f *follower) seenLocked(fd *feed, r followReq) bool {
	got := fd.arrived[r.a.Service+"/"+r.a.Aggr]
	if len(got) < r.want {
		return false
	}
	f.lat = append(f.lat, max(0, got[r.want-1].Sub(r.a.At)))
	return true
}

// arrive counts an entry that arrived on fd at t, and settles the pending
// commands it completes. An entry sent again (re-marked, or the timeline
// replayed after a reconnect or a rebuild's reset) counts once.
func (f *follower) arrive(fd *feed, e timelineEntry, t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fd.seen[e.EventID] || e.OccurredAt.Before(f.from) {
		return
	}
	fd.seen[e.EventID] = true
	k := e.Service + "/" + e.Source.ID
	fd.arrived[k] = append(fd.arrived[k], t)
	fd.pending = f.settle(fd, t, func(r followReq) bool { return f.seenLocked(fd, r) })
}

// settle drops the pending commands done says are done.
func (f *follower) settle(fd *feed, now time.Time, done func(followReq) bool) []followReq {
	had := len(fd.pending)
	left := fd.pending[:0]
	for _, r := range fd.pending {
		if !done(r) {
			left = append(left, r)
		}
	}
	if had > 0 && len(left) == 0 {
		fd.idle = now
	}
	return left
}

// expire counts the commands followed for followTimeout as not seen, and
// closes the feeds idle for f.idle.
func (f *follower) expire(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ref, fd := range f.feeds {
		fd.pending = f.settle(fd, now, func(r followReq) bool {
			if now.Sub(r.a.At) < followTimeout {
				return false
			}
			f.timeouts++
			return true
		})
		if len(fd.pending) == 0 && now.Sub(fd.idle) >= f.idle {
			fd.cancel()
			delete(f.feeds, ref)
		}
	}
}

func (f *follower) pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, fd := range f.feeds {
		n += len(fd.pending)
	}
	return n
}

// follow reads the patient's live feed until ctx ends, reconnecting with
// Last-Event-ID when it drops, backing off from 100 ms to 2 s.
func (f *follower) follow(ctx context.Context, ref string, fd *feed) {
	last := ""
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		got, err := f.read(ctx, ref, fd, &last)
		if ctx.Err() != nil {
			return
		}
		if got {
			wait = 100 * time.Millisecond
		}
		var se *statusError
		if errors.As(err, &se) && se.status == http.StatusBadRequest {
			last = "" // an id it no longer takes: the whole timeline again
		}
		f.mu.Lock()
		f.reconnects++
		f.mu.Unlock()
		sleep(ctx, wait)
		wait = min(2*wait, 2*time.Second)
	}
}

// read opens the feed once, resuming after *last, and counts the entries
// it sends until it ends; got says whether it sent any.
func (f *follower) read(ctx context.Context, ref string, fd *feed, last *string) (got bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.client.cfg.URL("query")+"/v1/patients/"+ref+"/timeline/stream", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+f.client.tokens[coordinator])
	if *last != "" {
		req.Header.Set("Last-Event-ID", *last)
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, &statusError{status: resp.StatusCode, body: resp.Status}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var id, event string
	var data strings.Builder
	for sc.Scan() {
		line := sc.Text()
		if line != "" {
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				id = value
			case "event":
				event = value
			case "data":
				if data.Len() > 0 {
					data.WriteByte('\n')
				}
				data.WriteString(value)
			}
			continue
		}
		// A blank line ends an event. A reset needs nothing: the entries
		// that follow are counted once each all the same.
		if event == "entry" {
			var e timelineEntry
			if err := json.Unmarshal([]byte(data.String()), &e); err != nil {
				return got, fmt.Errorf("read a live feed entry: %w", err)
			}
			f.arrive(fd, e, time.Now())
			got = true
		}
		if id != "" {
			*last = id
		}
		id, event = "", ""
		data.Reset()
	}
	if err := sc.Err(); err != nil {
		return got, err
	}
	return got, errors.New("the live feed ended")
}
