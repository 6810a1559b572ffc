package main

import (
	"context"
	"fmt"
	"io"
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

// timelinePage is the query API's GET /v1/patients/{patient}/timeline.
type timelinePage struct {
	Entries    []timelineEntry `json:"entries"`
	NextCursor string          `json:"nextCursor"`
	Freshness  struct {
		Partition     int        `json:"partition"`
		StreamSeq     int64      `json:"streamSeq"`
		LastEventTime *time.Time `json:"lastEventTime"`
		AppliedAt     *time.Time `json:"appliedAt"`
	} `json:"freshness"`
}

// timelineEntry is an entry of the query API's timeline, as a page or the
// live feed holds it.
type timelineEntry struct {
	EventID    string    `json:"eventId"`
	OccurredAt time.Time `json:"occurredAt"`
	Service    string    `json:"service"`
	EventType  string    `json:"eventType"`
	Source     struct {
		Service string `json:"service"`
		ID      string `json:"id"`
	} `json:"source"`
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
