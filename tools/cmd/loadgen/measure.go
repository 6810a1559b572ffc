package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// stats counts commands and keeps their latencies.
type stats struct {
	sent, accepted, failed, skipped atomic.Int64
	retried                         atomic.Int64 // requests sent again after no answer or a 5xx
	lag                             atomic.Int64 // how late the scheduler sent the latest command, ns

	mu      sync.Mutex
	rtt     []time.Duration // HTTP round trip of each accepted command
	resp    []time.Duration // from when it was due: includes waiting for a free slot
	warm    int64           // accepted after the warm-up
	byName  map[string]*commandStats
	samples []sample
}

type commandStats struct {
	Accepted int         `json:"accepted"`
	Failed   int         `json:"failed"`
	Statuses map[int]int `json:"failedStatuses,omitempty"`
}

func newStats() *stats { return &stats{byName: map[string]*commandStats{}} }

func (s *stats) of(name string) *commandStats {
	cs := s.byName[name]
	if cs == nil {
		cs = &commandStats{Statuses: map[int]int{}}
		s.byName[name] = cs
	}
	return cs
}

func (s *stats) accept(name string, rtt, resp time.Duration, warm bool) {
	s.accepted.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rtt = append(s.rtt, rtt)
	s.resp = append(s.resp, resp)
	if warm {
		s.warm++
	}
	s.of(name).Accepted++
}

func (s *stats) fail(name string, status int) {
	s.failed.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.of(name)
	cs.Failed++
	cs.Statuses[status]++
}

func (s *stats) failuresOf(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.of(name).Failed
}

// percentiles returns p50, p95, p99 and the maximum of ds, in ms.
func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) float64 {
		i := int(q*float64(len(s))+0.5) - 1
		return ms(s[min(max(i, 0), len(s)-1)])
	}
	return Percentiles{Count: len(s), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ms(s[len(s)-1])}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// follower measures end-to-end latency: from a command's answer to its
// entries being on the patient's timeline, by polling the query API for a
// sample of the accepted commands.
type follower struct {
	client   *client
	from     string // the timeline's from filter: before the run's first command
	sample   float64
	interval time.Duration

	mu       sync.Mutex
	rng      *rand.Rand
	lat      []time.Duration
	timeouts int
	dropped  int
	reqs     chan followReq
}

type followReq struct {
	ref  string
	a    accepted
	want int
}

// followTimeout is how long a sampled command is followed before it counts
// as not seen (verification then says whether it was lost).
const followTimeout = 60 * time.Second

// maxPollInterval bounds the follower's back-off: the end-to-end latency's
// resolution is 10 ms at first, 50 % of the wait so far later, 200 ms at
// most.
const maxPollInterval = 200 * time.Millisecond

func newFollower(c *client, seed int64, sample float64, from time.Time) *follower {
	return &follower{client: c, from: ts(from), sample: sample, interval: 10 * time.Millisecond,
		rng: rand.New(rand.NewPCG(uint64(seed), 0xe2e)), reqs: make(chan followReq, 1024)}
}

// maybe follows a, sampled.
func (f *follower) maybe(ref string, a accepted, want int) {
	f.mu.Lock()
	take := f.rng.Float64() < f.sample
	f.mu.Unlock()
	if !take {
		return
	}
	select {
	case f.reqs <- followReq{ref: ref, a: a, want: want}:
	default:
		f.mu.Lock()
		f.dropped++
		f.mu.Unlock()
	}
}

// run follows requests with n pollers. The returned stop takes no more
// requests and gives those still followed or queued up to drain to be
// seen; the rest count as not followed.
func (f *follower) run(ctx context.Context, n int) (stop func(drain time.Duration)) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for r := range f.reqs {
				f.poll(ctx, r)
			}
		})
	}
	return func(drain time.Duration) {
		close(f.reqs)
		t := time.AfterFunc(drain, cancel)
		wg.Wait()
		t.Stop()
		cancel()
	}
}

func (f *follower) poll(ctx context.Context, r followReq) {
	deadline := r.a.At.Add(followTimeout)
	path := "/v1/patients/" + r.ref + "/timeline?limit=500&service=" + r.a.Service + "&from=" + url.QueryEscape(f.from)
	// Every read is an audited access, an event the projector applies
	// too: polling backs off, so following a lagging projection does not
	// add to its load.
	for wait := f.interval; ctx.Err() == nil && time.Now().Before(deadline); wait = min(wait*3/2, maxPollInterval) {
		n, err := f.count(ctx, path, r.a.Aggr)
		if err == nil && n >= r.want {
			lat := time.Since(r.a.At)
			f.mu.Lock()
			f.lat = append(f.lat, lat)
			f.mu.Unlock()
			return
		}
		sleep(ctx, wait)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if ctx.Err() != nil {
		f.dropped++
		return
	}
	f.timeouts++
}

// count returns how many entries of aggregate aggr the timeline page chain
// at path holds.
func (f *follower) count(ctx context.Context, path, aggr string) (int, error) {
	n := 0
	for p := path; ; {
		var page timelinePage
		if err := f.client.getJSON(ctx, "query", p, coordinator, &page); err != nil {
			return 0, err
		}
		for _, e := range page.Entries {
			if e.Source.ID == aggr {
				n++
			}
		}
		if page.NextCursor == "" {
			return n, nil
		}
		p = path + "&cursor=" + url.QueryEscape(page.NextCursor)
	}
}

// timelinePage is the query API's GET /v1/patients/{patient}/timeline.
type timelinePage struct {
	Entries []struct {
		EventID   string `json:"eventId"`
		Service   string `json:"service"`
		EventType string `json:"eventType"`
		Source    struct {
			Service string `json:"service"`
			ID      string `json:"id"`
		} `json:"source"`
	} `json:"entries"`
	NextCursor string `json:"nextCursor"`
	Freshness  struct {
		Partition     int        `json:"partition"`
		StreamSeq     int64      `json:"streamSeq"`
		LastEventTime *time.Time `json:"lastEventTime"`
		AppliedAt     *time.Time `json:"appliedAt"`
	} `json:"freshness"`
}

// sample is what the sampler saw at one second of the run.
type sample struct {
	T               float64 `json:"t"` // seconds since the start
	Sent            int64   `json:"sent"`
	Accepted        int64   `json:"accepted"`
	Failed          int64   `json:"failed"`
	Rate            float64 `json:"rate"`            // accepted in the last second
	SchedulerLagMs  float64 `json:"schedulerLagMs"`  // how late the latest command was sent
	RelayLagMs      int64   `json:"relayLagMs"`      // the largest /relayz lag of the services
	ProjectionLagMs float64 `json:"projectionLagMs"` // now minus the latest applied event's time, in a recently touched patient's partition; -1 unknown
	RSSMB           float64 `json:"rssMB"`           // the stack processes' RSS together
	// Draining: the commands are all answered and the end-to-end followers
	// finish; no events flow, so the projection lag read then means little.
	Draining bool `json:"draining,omitempty"`
}

// relayServices are the services with a relay (/relayz).
var relayServices = []string{"patients", "homevisits", "medreviews", "carehomes", "discharge", "notify"}

// sampler takes a sample every second until ctx ends, printing progress.
func (d *driver) sampler(ctx context.Context, procs *procWatch, progress io.Writer) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var prev int64
	warmDone := false
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			s := sample{T: now.Sub(d.started).Seconds(), Sent: d.stats.sent.Load(), Accepted: d.stats.accepted.Load(),
				Failed: d.stats.failed.Load(), SchedulerLagMs: ms(time.Duration(d.stats.lag.Load())), ProjectionLagMs: -1}
			s.Rate = float64(s.Accepted - prev)
			prev = s.Accepted
			s.RelayLagMs = d.relayLag(ctx)
			if l, ok := d.projectionLag(ctx, now); ok {
				s.ProjectionLagMs = ms(l)
			}
			s.RSSMB = procs.sample()
			s.Draining = d.drained.Load()
			if !warmDone && now.Sub(d.started) >= d.cfg.Warmup {
				procs.markWarm()
				warmDone = true
			}
			d.stats.mu.Lock()
			d.stats.samples = append(d.stats.samples, s)
			d.stats.mu.Unlock()
			fmt.Fprintf(progress, "loadgen %5.0fs  sent %d  accepted %d  failed %d  rate %.0f/s  scheduler lag %.1fms  relay lag %dms  projection lag %s  stack RSS %.0f MB\n",
				s.T, s.Sent, s.Accepted, s.Failed, s.Rate, s.SchedulerLagMs, s.RelayLagMs, lagText(s.ProjectionLagMs), s.RSSMB)
		}
	}
}

func lagText(ms float64) string {
	if ms < 0 {
		return "?"
	}
	return fmt.Sprintf("%.0fms", ms)
}

func (d *driver) relayLag(ctx context.Context) int64 {
	var worst int64
	for _, s := range relayServices {
		var st struct {
			LagMs int64 `json:"lagMs"`
		}
		if err := d.client.getJSON(ctx, s, "/relayz", "", &st); err == nil {
			worst = max(worst, st.LagMs)
		}
	}
	return worst
}

// projectionLag reads the freshness the query API reports for the patient
// of the latest accepted command: how long ago the last event it has
// applied in that partition was recorded. Under steady load every
// partition gets events all the time, so this is the projection's lag
// (plus at most the gap between two events of a partition).
func (d *driver) projectionLag(ctx context.Context, now time.Time) (time.Duration, bool) {
	if d.stats.accepted.Load() == 0 {
		return 0, false
	}
	var page timelinePage
	path := "/v1/patients/" + d.refs[d.last.Load()] + "/timeline?limit=1&from=" + url.QueryEscape(ts(now))
	if err := d.client.getJSON(ctx, "query", path, coordinator, &page); err != nil || page.Freshness.LastEventTime == nil {
		return 0, false
	}
	return max(0, now.Sub(*page.Freshness.LastEventTime)), true
}
