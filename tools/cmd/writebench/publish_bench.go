package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/relay"
)

const (
	// preloadWriters and preloadBatch shape the untimed preload: each
	// writer commits preloadBatch events per transaction.
	preloadWriters = 4
	preloadBatch   = 100
	// interleavedStreams is how many streams (patients) each preload writer
	// spreads the interleaved shape over.
	interleavedStreams = 1000
	// publishPoll is how often the stream's message count is read while the
	// relay drains; it bounds the timing's resolution.
	publishPoll = 10 * time.Millisecond
	// readBatch is how many events are read back per query for the baseline.
	readBatch = 5000
)

// preloadShape is how the preloaded events lie in commit order. The relay
// never sends an event before the previous event of its stream or patient
// is acknowledged, so the shape decides how much it can pipeline.
type preloadShape struct {
	name, desc string
	// interleaved appends one event to each of preloadBatch different
	// streams per transaction; otherwise a transaction appends preloadBatch
	// events to one stream.
	interleaved bool
}

var preloadShapes = []preloadShape{
	{name: "interleaved", interleaved: true,
		desc: fmt.Sprintf("each transaction appends 1 event to each of %d streams (of %s, one patient each), so neighbours in commit order belong to different patients, as when many patients' commands interleave",
			preloadBatch, fmtInt(preloadWriters*interleavedStreams))},
	{name: "stream runs",
		desc: fmt.Sprintf("each transaction appends %d events to one stream, so commit order holds runs of %d events of one patient, as in a bulk import", preloadBatch, preloadBatch)},
}

// publishRun is one timed publication of the preloaded events.
type publishRun struct {
	elapsed time.Duration
	// stored is how many messages the stream gained.
	stored int64
	usage  usage
}

func (r publishRun) rate() float64 { return rate(r.stored, r.elapsed) }

// publishResult is the publication case of one shape measured both ways.
type publishResult struct {
	shape          preloadShape
	events         int
	payloadBytes   int64
	preloadElapsed time.Duration
	ours, base     publishRun
	relay          relay.Status
	baseErrors     int64
}

func (b *bench) publishSection(ctx context.Context) ([]publishResult, error) {
	var out []publishResult
	for i, shape := range preloadShapes {
		r, err := b.publishShape(ctx, i, shape)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", shape.name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (b *bench) publishShape(ctx context.Context, i int, shape preloadShape) (publishResult, error) {
	schema := b.schema(fmt.Sprintf("pub%d", i))
	defer b.dropSchemas(ctx, schema)
	store, err := eventstore.New(b.pool, schema)
	if err != nil {
		return publishResult{}, err
	}
	if err := store.Migrate(ctx); err != nil {
		return publishResult{}, err
	}
	res := publishResult{shape: shape, events: b.cfg.PublishEvents}
	if res.preloadElapsed, err = b.preload(ctx, store, shape, b.cfg.PublishEvents); err != nil {
		return publishResult{}, fmt.Errorf("preload: %w", err)
	}
	if res.ours, res.relay, err = b.timedRelay(ctx, store, shape); err != nil {
		return publishResult{}, err
	}

	name, prefix, remove, err := b.benchStream(ctx, fmt.Sprintf("pub%d", i))
	if err != nil {
		return publishResult{}, err
	}
	defer remove()
	msgs, err := readPayloads(ctx, store, prefix)
	if err != nil {
		return publishResult{}, err
	}
	for _, m := range msgs {
		res.payloadBytes += int64(len(m.Data))
	}
	if res.base, res.baseErrors, err = b.timedPublish(ctx, shape, name, msgs); err != nil {
		return publishResult{}, err
	}
	return res, nil
}

// preload appends n events in the given shape with the relay stopped, from
// a few writers.
func (b *bench) preload(ctx context.Context, store *eventstore.Store, shape preloadShape, n int) (time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var written atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	stop := everySecond(ctx, b.cfg.Progress, "publish "+shape.name+": preload", func(time.Duration) string {
		return fmt.Sprintf("%s/%s events appended", fmtInt(written.Load()), fmtInt(int64(n)))
	})
	defer stop()
	for w := range preloadWriters {
		share := n / preloadWriters
		if w < n%preloadWriters {
			share++
		}
		streamCount := b.cfg.StreamsPerWriter
		if shape.interleaved {
			streamCount = interleavedStreams
		}
		streams, err := newStreams(streamCount, b.cfg.DataSize, time.Now())
		if err != nil {
			return 0, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx := oursTx(store)
			if shape.interleaved {
				tx = interleavedTx(b.pool, store, streams)
			}
			for k := 0; share > 0 && ctx.Err() == nil; k++ {
				m := min(preloadBatch, share)
				if err := tx(ctx, &streams[k%len(streams)], m); err != nil {
					cancel(err)
					return
				}
				share -= m
				written.Add(int64(m))
			}
		}()
	}
	wg.Wait()
	return time.Since(t0), context.Cause(ctx)
}

// interleavedTx ignores the stream it is given and appends one event to
// each of the next n streams, in one transaction.
func interleavedTx(pool *pgxpool.Pool, store *eventstore.Store, streams []stream) txFunc {
	next := 0
	evs := make([]events.Envelope, 1)
	return func(ctx context.Context, _ *stream, n int) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			now := time.Now()
			for range n {
				s := &streams[next%len(streams)]
				next++
				evs[0] = s.next(now)
				v, err := store.AppendTx(ctx, tx, s.id, s.version, evs)
				if err != nil {
					return err
				}
				s.version = v
			}
			return nil
		})
	}
}

// timedRelay starts a relay over the preloaded store and times it until the
// CARE stream holds every event.
func (b *bench) timedRelay(ctx context.Context, store *eventstore.Store, shape preloadShape) (publishRun, relay.Status, error) {
	want := int64(b.cfg.PublishEvents)
	c0, err := b.streamMessages(ctx, natskit.EventStream)
	if err != nil {
		return publishRun{}, relay.Status{}, err
	}
	nc, err := b.connect(ctx, "writebench-relay")
	if err != nil {
		return publishRun{}, relay.Status{}, err
	}
	defer nc.Close()
	r, err := relay.New(store, nc, b.relayConfig(), b.logger.With(slog.String("component", "relay")))
	if err != nil {
		return publishRun{}, relay.Status{}, err
	}

	b.settle(ctx)
	var stored atomic.Int64
	var meter rateMeter
	label := "publish " + shape.name + ": relay"
	stop := everySecond(ctx, b.cfg.Progress, label, func(el time.Duration) string {
		n := stored.Load()
		return fmt.Sprintf("%s/%s in JetStream, %s msg/s over the last second", fmtInt(n), fmtInt(want), fmtRate(meter.rate(n, el)))
	})
	defer stop()
	before := b.probe.snap(ctx)
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayDone := make(chan error, 1)
	t0 := time.Now()
	go func() { relayDone <- r.Run(relayCtx) }()
	defer func() {
		stopRelay()
		<-relayDone
	}()

	limit := t0.Add(drainTimeout(want))
	for {
		n, err := b.streamMessages(ctx, natskit.EventStream)
		if err != nil {
			return publishRun{}, relay.Status{}, err
		}
		stored.Store(n - c0)
		if n-c0 >= want {
			break
		}
		select {
		case err := <-relayDone:
			relayDone <- err // for the deferred wait
			return publishRun{}, relay.Status{}, fmt.Errorf("relay stopped after %s of %s events: %v", fmtInt(n-c0), fmtInt(want), err)
		default:
		}
		if time.Now().After(limit) {
			return publishRun{}, relay.Status{}, fmt.Errorf("relay published %s of %s events in %v", fmtInt(n-c0), fmtInt(want), drainTimeout(want))
		}
		if err := sleep(ctx, publishPoll); err != nil {
			return publishRun{}, relay.Status{}, err
		}
	}
	elapsed := time.Since(t0)
	after := b.probe.snap(ctx)
	stop()
	run := publishRun{elapsed: elapsed, stored: stored.Load(), usage: before.until(after)}
	fmt.Fprintf(b.cfg.Progress, "[%s] %s msg/s\n", label, fmtRate(run.rate()))
	return run, r.Status(), nil
}

// drainTimeout is generous: far slower than this is a failure, not a figure.
func drainTimeout(n int64) time.Duration {
	return time.Minute + time.Duration(n)*time.Second/500
}

// readPayloads reads every event of the store back, as the relay would
// publish it but on the baseline stream's subjects.
func readPayloads(ctx context.Context, store *eventstore.Store, prefix string) ([]*nats.Msg, error) {
	var msgs []*nats.Msg
	var pos eventstore.Position
	for {
		recs, err := store.ReadAll(ctx, pos, readBatch)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return msgs, nil
		}
		for _, rec := range recs {
			subject, err := events.SubjectOf(&events.Envelope{Type: rec.Type, Area: rec.Area, Subject: rec.Subject, StreamID: rec.StreamID})
			if err != nil {
				return nil, err
			}
			m := &nats.Msg{Subject: prefix + strings.TrimPrefix(subject, events.SubjectRoot+"."), Data: rec.Envelope, Header: nats.Header{}}
			m.Header.Set(jetstream.MsgIDHeader, rec.EventID.String())
			m.Header.Set("Content-Type", events.ContentType)
			msgs = append(msgs, m)
			pos = rec.Position
		}
	}
}

// timedPublish publishes msgs asynchronously with a bounded window and times
// it until every one is acknowledged.
func (b *bench) timedPublish(ctx context.Context, shape preloadShape, stream string, msgs []*nats.Msg) (publishRun, int64, error) {
	nc, err := b.connect(ctx, "writebench-publisher")
	if err != nil {
		return publishRun{}, 0, err
	}
	defer nc.Close()
	var failed atomic.Int64
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(b.cfg.PublishWindow),
		jetstream.WithPublishAsyncErrHandler(func(jetstream.JetStream, *nats.Msg, error) { failed.Add(1) }))
	if err != nil {
		return publishRun{}, 0, fmt.Errorf("jetstream: %w", err)
	}

	b.settle(ctx)
	var sent atomic.Int64
	var meter rateMeter
	label := "publish " + shape.name + ": baseline"
	stop := everySecond(ctx, b.cfg.Progress, label, func(el time.Duration) string {
		n := sent.Load()
		return fmt.Sprintf("%s/%s sent, %s msg/s over the last second", fmtInt(n), fmtInt(int64(len(msgs))), fmtRate(meter.rate(n, el)))
	})
	defer stop()
	before := b.probe.snap(ctx)
	t0 := time.Now()
	for _, m := range msgs {
		if _, err := js.PublishMsgAsync(m, jetstream.WithStallWait(30*time.Second)); err != nil {
			return publishRun{}, 0, fmt.Errorf("baseline publish: %w", err)
		}
		sent.Add(1)
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		return publishRun{}, 0, ctx.Err()
	case <-time.After(drainTimeout(int64(len(msgs)))):
		return publishRun{}, 0, fmt.Errorf("baseline: %d publishes still unacknowledged", js.PublishAsyncPending())
	}
	elapsed := time.Since(t0)
	after := b.probe.snap(ctx)
	stop()
	stored, err := b.streamMessages(ctx, stream)
	if err != nil {
		return publishRun{}, 0, err
	}
	run := publishRun{elapsed: elapsed, stored: stored, usage: before.until(after)}
	fmt.Fprintf(b.cfg.Progress, "[%s] %s msg/s\n", label, fmtRate(run.rate()))
	return run, failed.Load(), nil
}
