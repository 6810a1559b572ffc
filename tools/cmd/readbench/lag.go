package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/relay"
	"github.com/careweave/careweave/projections"
	"github.com/careweave/careweave/projections/synthetic"
	"github.com/careweave/careweave/tools/internal/benchstat"
)

const (
	lagWriters  = 4
	lagPatients = 1000
	lagPoll     = 2 * time.Millisecond
)

// lagSection: writers append one event per transaction to a service's
// event store at a paced rate while its relay and the projector run; a
// watcher notes when each event's entry becomes visible in the timeline,
// and an ordered consumer when it reaches the CARE stream.
func (b *bench) lagSection(ctx context.Context) error {
	if err := b.resetStream(ctx); err != nil {
		return err
	}
	svc, control := b.schema("lagsvc"), b.schema("lag")
	store, err := eventstore.New(b.pool, svc)
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	rel, err := relay.New(store, b.nc, relay.Config{Name: "readbench"}, b.logger)
	if err != nil {
		return err
	}
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayDone := make(chan error, 1)
	go func() { relayDone <- rel.Run(relayCtx) }()
	defer func() { stopRelay(); <-relayDone }()
	_, stop, err := b.startComponent(ctx, "projector", control, projections.ProjectorOptions(nil))
	if err != nil {
		return err
	}
	defer stop()
	models, err := b.modelsOf(ctx, control)
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); !rel.Status().Leader; {
		if time.Now().After(deadline) {
			return fmt.Errorf("relay did not lead within 10s")
		}
		if err := sleepCtx(ctx, 5*time.Millisecond); err != nil {
			return err
		}
	}

	// Arrival on the stream: the part of the lag that is the relay's.
	arrived := newArrivals()
	cons, err := b.js.OrderedConsumer(ctx, natskit.EventStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{events.FilterAll}})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		if en, err := events.Decode(m.Data()); err == nil {
			arrived.note(en.ID, time.Now())
		}
	})
	if err != nil {
		return err
	}
	defer cc.Stop()

	seen := newSightings()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	watchDone := make(chan error, 1)
	go func() { watchDone <- b.watchTimeline(watchCtx, models, seen) }()

	b.checkpoint(ctx)
	interval := time.Duration(float64(lagWriters) * float64(time.Second) / float64(b.cfg.LagRate))
	t0 := time.Now().Add(10 * time.Millisecond)
	end := t0.Add(b.cfg.LagDuration)
	var wg sync.WaitGroup
	errs := make(chan error, lagWriters)
	for w := range lagWriters {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for k := 0; ; k++ {
				due := t0.Add(time.Duration(w)*interval/lagWriters + time.Duration(k)*interval)
				if !due.Before(end) {
					return
				}
				if err := sleepCtx(ctx, time.Until(due)); err != nil {
					return
				}
				now := time.Now()
				p := rng.IntN(lagPatients)
				en, err := events.New(hv.VisitRequested{Patient: synthetic.Patient(p), Practice: "L84001", PCN: "U84001", Reason: "fall",
					Source: hv.SourcePhone, Caller: hv.CallerRelative, RequestedAt: now}, events.Metadata{ID: events.NewID(now), Time: now,
					Subject: synthetic.Patient(p), Area: "U84001", CorrelationID: "readbench", Actor: events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}})
				if err != nil {
					errs <- err
					return
				}
				if _, err := store.Append(ctx, "visit-"+events.NewID(now).String(), 0, []events.Envelope{en}); err != nil {
					errs <- err
					return
				}
				seen.committed(en.ID, en.Subject, time.Now())
			}
		})
	}
	ticker := time.NewTicker(2 * time.Second)
	go func() {
		for range ticker.C {
			b.status("lag: %s appended, %s visible in the timeline", benchstat.Int(int64(seen.appended())), benchstat.Int(int64(seen.appended()-seen.outstanding())))
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		ticker.Stop()
		stopWatch()
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); seen.outstanding() > 0 && time.Now().Before(deadline); {
		if err := sleepCtx(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	ticker.Stop()
	stopWatch()
	if err := <-watchDone; err != nil && ctx.Err() == nil {
		return err
	}
	want := seen.appended()
	entries, err := b.count(ctx, "SELECT count(*) FROM "+models+".timeline")
	if err != nil {
		return err
	}

	var toTimeline, toStream []time.Duration
	missing := 0
	seen.mu.Lock()
	for id, c := range seen.commits {
		v, ok := seen.visible[id]
		if !ok {
			missing++
			continue
		}
		toTimeline = append(toTimeline, v.Sub(c))
		if a, ok := arrived.get(id); ok {
			toStream = append(toStream, a.Sub(c))
		}
	}
	seen.mu.Unlock()
	tl, st := benchstat.Summarize(toTimeline), benchstat.Summarize(toStream)
	achieved := benchstat.Rate(int64(want), b.cfg.LagDuration)

	w := b.out
	fmt.Fprintf(w, "## Commit-to-timeline lag\n\n%d writers append one home-visit request per transaction (random patient of %d) to a service's event store at "+
		"%s events/s in total for %v, with the relay and the projector process running. Lag = the moment the entry is seen in the timeline "+
		"(polled every %v by primary key) − the moment `Append` returned. Baseline, in the same run: commit → arrival on the CARE stream "+
		"(an ordered consumer), which every consumer pays before it can apply anything. Ratio = timeline / stream.\n\n",
		lagWriters, lagPatients, benchstat.Int(int64(b.cfg.LagRate)), b.cfg.LagDuration, lagPoll)
	fmt.Fprintf(w, "| | commit → timeline | commit → stream (baseline) | ratio |\n|---|--:|--:|--:|\n")
	for _, row := range []struct {
		name  string
		a, st time.Duration
	}{{"p50", tl.P50, st.P50}, {"p90", tl.P90, st.P90}, {"**p99**", tl.P99, st.P99}, {"max", tl.Max, st.Max}} {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", row.name, benchstat.Ms(row.a), benchstat.Ms(row.st), benchstat.Times(row.a, row.st))
	}
	fmt.Fprintf(w, "| events appended / seen | %s / %s | %s seen | |\n\n", benchstat.Int(int64(want)), benchstat.Int(int64(tl.Count)), benchstat.Int(int64(st.Count)))
	fmt.Fprintf(w, "Achieved %s events/s; %d missing from the timeline; %s timeline entries for %s events (a duplicate would show as more).\n\n",
		benchstat.RateString(achieved), missing, benchstat.Int(entries), benchstat.Int(int64(want)))
	fmt.Fprintf(w, "| target | measured | verdict |\n|---|---|---|\n")
	fmt.Fprintf(w, "| commit-to-timeline p99 < 100 ms at 1,000 events/s | p99 %s at %s ev/s | %s |\n\n", benchstat.Ms(tl.P99), benchstat.RateString(achieved),
		verdict(tl.P99 < 100*time.Millisecond && b.cfg.LagRate >= 1000 && achieved >= 0.95*float64(b.cfg.LagRate)))
	if missing > 0 || entries != int64(want) {
		return fmt.Errorf("%d events missing from the timeline, %d entries for %d events", missing, entries, want)
	}
	return nil
}

// watchTimeline polls for the entries of committed events not yet seen and
// notes when each becomes visible.
func (b *bench) watchTimeline(ctx context.Context, models string, seen *sightings) error {
	sql := "SELECT event_id::text FROM " + models + ".timeline WHERE (patient, event_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))"
	for {
		if err := sleepCtx(ctx, lagPoll); err != nil {
			return nil
		}
		patients, ids := seen.pendingList()
		if len(ids) == 0 {
			continue
		}
		rows, err := b.pool.Query(ctx, sql, patients, ids)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		found, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		seen.visibleAt(found, time.Now())
	}
}

// sightings tracks each appended event from commit to the timeline.
type sightings struct {
	mu      sync.Mutex
	commits map[events.ID]time.Time
	pending map[events.ID]string // committed, not yet seen: its patient
	visible map[events.ID]time.Time
}

func newSightings() *sightings {
	return &sightings{commits: map[events.ID]time.Time{}, pending: map[events.ID]string{}, visible: map[events.ID]time.Time{}}
}

func (s *sightings) committed(id events.ID, patient string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits[id] = at
	if _, ok := s.visible[id]; !ok {
		s.pending[id] = patient
	}
}

func (s *sightings) pendingList() (patients, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, p := range s.pending {
		patients, ids = append(patients, p), append(ids, id.String())
	}
	return patients, ids
}

func (s *sightings) visibleAt(ids []string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, str := range ids {
		id, err := events.ParseID(str)
		if err != nil {
			continue
		}
		if _, ok := s.visible[id]; !ok {
			s.visible[id] = at
		}
		delete(s.pending, id)
	}
}

func (s *sightings) appended() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.commits)
}

func (s *sightings) outstanding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// arrivals notes when each event reached the stream.
type arrivals struct {
	mu sync.Mutex
	at map[events.ID]time.Time
}

func newArrivals() *arrivals { return &arrivals{at: map[events.ID]time.Time{}} }

func (a *arrivals) note(id events.ID, t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.at[id]; !ok {
		a.at[id] = t
	}
}

func (a *arrivals) get(id events.ID) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.at[id]
	return t, ok
}
