package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/relay"
)

const (
	// lagDrainTimeout bounds the wait for the last events after the writers
	// stop; what has not arrived by then is missing.
	lagDrainTimeout = 30 * time.Second
	// lagGrace is how long the subscriber keeps listening once everything
	// arrived, to catch late duplicates.
	lagGrace = 250 * time.Millisecond
	// leaderTimeout bounds the wait for the relay to take its leader lock.
	leaderTimeout = 10 * time.Second
)

// lagRun is one paced run: events appended at a fixed rate and received
// from JetStream.
type lagRun struct {
	name     string
	target   float64
	achieved float64
	appended int64
	elapsed  time.Duration
	// behind counts appends that started more than one interval late: the
	// writers could not keep the pace.
	behind int64
	// lag is commit (Append returned) to receipt by the subscriber; it is
	// split into commit to stored in the stream (JetStream's timestamp) and
	// stored to received.
	lag, toStored, toReceived latencySummary
	appendLatency             latencySummary
	missing, duplicated       int
	// foreign counts received events nobody appended in this run.
	foreign int
	usage   usage
}

// lagResult is the lag case measured both ways.
type lagResult struct {
	ours, base lagRun
	relay      relay.Status
}

func (b *bench) lagSection(ctx context.Context) (*lagResult, error) {
	res := &lagResult{}
	var err error
	if res.ours, res.relay, err = b.lagOurs(ctx); err != nil {
		return nil, err
	}
	if res.base, err = b.lagBaseline(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// lagOurs appends with the relay running and receives from the CARE stream.
func (b *bench) lagOurs(ctx context.Context) (lagRun, relay.Status, error) {
	schema := b.schema("lag")
	defer b.dropSchemas(ctx, schema)
	store, err := eventstore.New(b.pool, schema)
	if err != nil {
		return lagRun{}, relay.Status{}, err
	}
	if err := store.Migrate(ctx); err != nil {
		return lagRun{}, relay.Status{}, err
	}

	relayConn, err := b.connect(ctx, "writebench-relay")
	if err != nil {
		return lagRun{}, relay.Status{}, err
	}
	defer relayConn.Close()
	r, err := relay.New(store, relayConn, b.relayConfig(), b.logger.With(slog.String("component", "relay")))
	if err != nil {
		return lagRun{}, relay.Status{}, err
	}
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayDone := make(chan error, 1)
	go func() { relayDone <- r.Run(relayCtx) }()
	defer func() {
		stopRelay()
		<-relayDone
	}()
	for deadline := time.Now().Add(leaderTimeout); !r.Status().Leader; {
		if time.Now().After(deadline) {
			return lagRun{}, relay.Status{}, fmt.Errorf("relay did not become leader in %v", leaderTimeout)
		}
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return lagRun{}, relay.Status{}, err
		}
	}

	rec, stopSub, err := b.subscribe(ctx, "writebench-lag-subscriber", natskit.EventStream, events.FilterAll)
	if err != nil {
		return lagRun{}, relay.Status{}, err
	}
	defer stopSub()
	run, err := b.pacedRun(ctx, "lag: relay", store, nil, rec)
	run.name = "relay"
	return run, r.Status(), err
}

// lagBaseline is a dual write: each writer publishes the event to a copy of
// the CARE stream itself right after the commit, and waits for the ack. It
// is the lag floor of any design that publishes after commit, without the
// relay's guarantees.
func (b *bench) lagBaseline(ctx context.Context) (lagRun, error) {
	schema := b.schema("lagb")
	defer b.dropSchemas(ctx, schema)
	store, err := eventstore.New(b.pool, schema)
	if err != nil {
		return lagRun{}, err
	}
	if err := store.Migrate(ctx); err != nil {
		return lagRun{}, err
	}
	name, prefix, remove, err := b.benchStream(ctx, "lag")
	if err != nil {
		return lagRun{}, err
	}
	defer remove()

	pubConn, err := b.connect(ctx, "writebench-dual-writer")
	if err != nil {
		return lagRun{}, err
	}
	defer pubConn.Close()
	js, err := jetstream.New(pubConn)
	if err != nil {
		return lagRun{}, fmt.Errorf("jetstream: %w", err)
	}
	publish := func(ctx context.Context, e *events.Envelope) error {
		data, err := e.Encode()
		if err != nil {
			return err
		}
		subject, err := events.SubjectOf(e)
		if err != nil {
			return err
		}
		m := &nats.Msg{Subject: prefix + strings.TrimPrefix(subject, events.SubjectRoot+"."), Data: data, Header: nats.Header{}}
		m.Header.Set(jetstream.MsgIDHeader, e.ID.String())
		m.Header.Set("Content-Type", events.ContentType)
		if _, err := js.PublishMsg(ctx, m); err != nil {
			return fmt.Errorf("dual-write publish: %w", err)
		}
		return nil
	}

	rec, stopSub, err := b.subscribe(ctx, "writebench-lag-baseline-subscriber", name, prefix+">")
	if err != nil {
		return lagRun{}, err
	}
	defer stopSub()
	run, err := b.pacedRun(ctx, "lag: dual write", store, publish, rec)
	run.name = "dual write"
	return run, err
}

// subscribe starts an ordered consumer on stream from its next message and
// records what arrives.
func (b *bench) subscribe(ctx context.Context, connName, stream, filter string) (*recorder, func(), error) {
	nc, err := b.connect(ctx, connName)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{filter},
		DeliverPolicy:  jetstream.DeliverNewPolicy,
	})
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("ordered consumer on %s: %w", stream, err)
	}
	rec := &recorder{got: map[events.ID]*receipt{}}
	cc, err := cons.Consume(rec.handle)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("consume %s: %w", stream, err)
	}
	return rec, func() {
		cc.Stop()
		nc.Close()
	}, nil
}

// receipt is when an event arrived, and when JetStream stored it.
type receipt struct {
	received, stored time.Time
	n                int
}

// recorder notes every delivered event by id.
type recorder struct {
	mu         sync.Mutex
	got        map[events.ID]*receipt
	unreadable int
	distinct   atomic.Int64
}

func (r *recorder) handle(msg jetstream.Msg) {
	now := time.Now()
	var stored time.Time
	if md, err := msg.Metadata(); err == nil {
		stored = md.Timestamp
	}
	id, err := events.ParseID(msg.Headers().Get(jetstream.MsgIDHeader))
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.unreadable++
		return
	}
	if rc, ok := r.got[id]; ok {
		rc.n++
		return
	}
	r.got[id] = &receipt{received: now, stored: stored, n: 1}
	r.distinct.Add(1)
}

// commit is one append as its writer saw it.
type commit struct {
	id          events.ID
	start, done time.Time
}

// pacedRun appends one event per transaction at the configured total rate,
// spread evenly over the writers, for the configured duration; afterCommit,
// when set, runs after each append. It then waits for rec to receive every
// event and joins commits with receipts.
func (b *bench) pacedRun(ctx context.Context, label string, store *eventstore.Store,
	afterCommit func(context.Context, *events.Envelope) error, rec *recorder,
) (lagRun, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cfg := b.cfg
	writers := cfg.LagWriters
	interval := time.Duration(float64(writers) * float64(time.Second) / float64(cfg.LagRate))
	var (
		appended, behind atomic.Int64
		wg               sync.WaitGroup
		mu               sync.Mutex
		commits          []commit
		lastDone         time.Time
	)
	allStreams := make([][]stream, writers)
	for j := range allStreams {
		var err error
		if allStreams[j], err = newStreams(cfg.StreamsPerWriter, cfg.DataSize, time.Now()); err != nil {
			return lagRun{}, err
		}
	}

	b.settle(ctx)
	before := b.probe.snap(ctx)
	t0 := time.Now().Add(10 * time.Millisecond)
	end := t0.Add(cfg.LagDuration)
	var meter rateMeter
	stop := everySecond(ctx, cfg.Progress, label, func(el time.Duration) string {
		n := appended.Load()
		return fmt.Sprintf("%4.0fs/%.0fs  %s ev/s appended over the last second, %s appended, %s received",
			el.Seconds(), cfg.LagDuration.Seconds(), fmtRate(meter.rate(n, el)), fmtInt(n), fmtInt(rec.distinct.Load()))
	})
	defer stop()
	for j := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			streams := allStreams[j]
			mine := make([]commit, 0, int(cfg.LagDuration/interval)+1)
			evs := make([]events.Envelope, 1)
			offset := interval * time.Duration(j) / time.Duration(writers)
			var last time.Time
			for k := 0; ctx.Err() == nil; k++ {
				due := t0.Add(offset + time.Duration(k)*interval)
				if !due.Before(end) {
					break
				}
				if wait := time.Until(due); wait > 0 {
					if sleep(ctx, wait) != nil {
						break
					}
				} else if -wait > interval {
					behind.Add(1)
				}
				s := &streams[k%len(streams)]
				start := time.Now()
				evs[0] = s.next(start)
				v, err := store.Append(ctx, s.id, s.version, evs)
				if err != nil {
					cancel(err)
					break
				}
				last = time.Now()
				s.version = v
				mine = append(mine, commit{id: evs[0].ID, start: start, done: last})
				appended.Add(1)
				if afterCommit != nil {
					if err := afterCommit(ctx, &evs[0]); err != nil {
						cancel(err)
						break
					}
				}
			}
			mu.Lock()
			commits = append(commits, mine...)
			if last.After(lastDone) {
				lastDone = last
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return lagRun{}, err
	}
	usageAt := b.probe.snap(ctx)

	// Wait for the tail, then a little longer for duplicates.
	want := int64(len(commits))
	for deadline := time.Now().Add(lagDrainTimeout); rec.distinct.Load() < want && time.Now().Before(deadline); {
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return lagRun{}, err
		}
	}
	if err := sleep(ctx, lagGrace); err != nil {
		return lagRun{}, err
	}
	stop()

	run := lagRun{
		target:   float64(cfg.LagRate),
		appended: want,
		elapsed:  lastDone.Sub(t0),
		behind:   behind.Load(),
		usage:    before.until(usageAt),
	}
	run.achieved = rate(run.appended, run.elapsed)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	lags := make([]time.Duration, 0, len(commits))
	toStored := make([]time.Duration, 0, len(commits))
	toReceived := make([]time.Duration, 0, len(commits))
	appendLat := make([]time.Duration, 0, len(commits))
	matched := 0
	for _, c := range commits {
		appendLat = append(appendLat, c.done.Sub(c.start))
		rc, ok := rec.got[c.id]
		if !ok {
			run.missing++
			continue
		}
		matched++
		if rc.n > 1 {
			run.duplicated++
		}
		lags = append(lags, rc.received.Sub(c.done))
		if !rc.stored.IsZero() {
			toStored = append(toStored, rc.stored.Sub(c.done))
			toReceived = append(toReceived, rc.received.Sub(rc.stored))
		}
	}
	run.foreign = len(rec.got) - matched + rec.unreadable
	run.lag, run.toStored, run.toReceived = summarize(lags), summarize(toStored), summarize(toReceived)
	run.appendLatency = summarize(appendLat)
	fmt.Fprintf(cfg.Progress, "[%s] %s ev/s appended; lag p50 %s, p99 %s; %d missing, %d duplicated\n",
		label, fmtRate(run.achieved), fmtMs(run.lag.P50), fmtMs(run.lag.P99), run.missing, run.duplicated)
	return run, nil
}
