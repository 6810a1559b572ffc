// Package baseline measures what the machine's own PostgreSQL and NATS can
// do with nothing of Careweave's in the way, so an end-to-end figure can be
// printed as a ratio to a raw rate measured in the same run, on the same
// servers:
//
//   - Insert: bare single-row INSERTs, one per transaction (each a commit,
//     so each waits for the WAL flush), by n writers, into a table defined
//     as the event store's events table (eventstore's own migration), with
//     an envelope-sized row. A Careweave command is at least this: one
//     commit that appends an event.
//   - Publish: asynchronous JetStream publishes with a bounded window into a
//     file-backed stream of one replica, with a message id each (as the
//     relay sends, so the server's de-duplication is paid for too).
//
// Each runs for a fixed time and leaves nothing behind (its schema and its
// stream are dropped).
package baseline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/eventstore"
)

// Result is one measurement.
type Result struct {
	What    string        `json:"what"`
	Ops     int64         `json:"operations"`
	Elapsed time.Duration `json:"elapsedNs"`
	// P50 and P99 are one operation's latency (a transaction's round trip
	// for Insert; zero for Publish, which is pipelined).
	P50 time.Duration `json:"p50Ns,omitempty"`
	P99 time.Duration `json:"p99Ns,omitempty"`
}

// Rate is operations per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// payload is an envelope of about the size Careweave's events have (their
// data is a few hundred bytes of JSON).
var payload = []byte(`{"specversion":"1.0","id":"` + strings.Repeat("0", 36) + `","type":"care.baseline.v1","source":"careweave/baseline","data":{"note":"` +
	strings.Repeat("x", 420) + `"}}`)

// Insert runs writers concurrent writers for d, each committing one row per
// transaction, and counts the commits. progress (if not nil) gets a line a
// second.
func Insert(ctx context.Context, pool *pgxpool.Pool, writers int, d time.Duration, progress io.Writer) (Result, error) {
	schema := fmt.Sprintf("baseline_%d", time.Now().UnixNano())
	st, err := eventstore.New(pool, schema)
	if err != nil {
		return Result{}, err
	}
	if err := st.Migrate(ctx); err != nil {
		return Result{}, fmt.Errorf("baseline table: %w", err)
	}
	defer func() { _, _ = pool.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE") }()
	insert := `INSERT INTO ` + schema + `.events (stream_id, version, event_id, event_type, subject, area, envelope) VALUES ($1, $2, $3, 'care.baseline.v1', '', 'baseline', $4)`

	var count atomic.Int64
	var mu sync.Mutex
	var lats []time.Duration
	errs := make(chan error, writers)
	deadline := time.Now().Add(d)
	stop := everySecond(progress, "bare INSERT", d, func() int64 { return count.Load() })
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprintf("baseline-%d", w)
			my := make([]time.Duration, 0, 4096)
			for v := int64(1); time.Now().Before(deadline) && ctx.Err() == nil; v++ {
				s := time.Now()
				if _, err := pool.Exec(ctx, insert, stream, v, events.NewID(s).String(), payload); err != nil {
					errs <- fmt.Errorf("baseline insert: %w", err)
					return
				}
				my = append(my, time.Since(s))
				count.Add(1)
			}
			mu.Lock()
			lats = append(lats, my...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	stop()
	close(errs)
	if err := errors.Join(<-errs, ctx.Err()); err != nil {
		return Result{}, err
	}
	var rows int64
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+schema+".events").Scan(&rows); err != nil {
		return Result{}, err
	}
	if rows != count.Load() {
		return Result{}, fmt.Errorf("baseline insert: %d commits counted, %d rows stored", count.Load(), rows)
	}
	r := Result{What: fmt.Sprintf("bare INSERT, 1 row per commit, %d writers", writers), Ops: rows, Elapsed: elapsed}
	r.P50, r.P99 = quantile(lats, 0.50), quantile(lats, 0.99)
	return r, nil
}

// Publish publishes for d with at most window unacknowledged, then waits
// for every acknowledgement, and counts what the stream stored.
func Publish(ctx context.Context, nc *nats.Conn, window int, d time.Duration, progress io.Writer) (Result, error) {
	var failed atomic.Int64
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(window),
		jetstream.WithPublishAsyncErrHandler(func(jetstream.JetStream, *nats.Msg, error) { failed.Add(1) }))
	if err != nil {
		return Result{}, err
	}
	name := fmt.Sprintf("BASELINE_%d", time.Now().UnixNano())
	prefix := strings.ToLower(name)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{prefix + ".>"}, Storage: jetstream.FileStorage,
		Replicas: 1, Duplicates: 2 * time.Minute}); err != nil {
		return Result{}, fmt.Errorf("baseline stream: %w", err)
	}
	defer func() { _ = js.DeleteStream(context.WithoutCancel(ctx), name) }()

	var sent atomic.Int64
	stop := everySecond(progress, "raw JetStream publish", d, func() int64 { return sent.Load() })
	defer stop()
	t0 := time.Now()
	deadline := t0.Add(d)
	for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		m := &nats.Msg{Subject: fmt.Sprintf("%s.p%02d.%d", prefix, i%64, i%1000), Data: payload, Header: nats.Header{}}
		m.Header.Set(jetstream.MsgIDHeader, events.NewID(time.Now()).String())
		if _, err := js.PublishMsgAsync(m, jetstream.WithStallWait(30*time.Second)); err != nil {
			return Result{}, fmt.Errorf("baseline publish: %w", err)
		}
		sent.Add(1)
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-time.After(time.Minute):
		return Result{}, fmt.Errorf("baseline publish: %d still unacknowledged after a minute", js.PublishAsyncPending())
	}
	elapsed := time.Since(t0)
	stop()
	info, err := js.Stream(ctx, name)
	if err != nil {
		return Result{}, err
	}
	stored := int64(info.CachedInfo().State.Msgs)
	if stored != sent.Load() || failed.Load() > 0 {
		return Result{}, fmt.Errorf("baseline publish: %d sent, %d stored, %d failed", sent.Load(), stored, failed.Load())
	}
	return Result{What: fmt.Sprintf("raw JetStream async publish, window %d, file storage, 1 replica", window), Ops: stored, Elapsed: elapsed}, nil
}

// everySecond prints label's progress once a second until stopped.
func everySecond(w io.Writer, label string, d time.Duration, done func() int64) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		start, last := time.Now(), int64(0)
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				n := done()
				fmt.Fprintf(w, "[baseline] %s %3.0fs/%.0fs: %d done, %d over the last second\n", label, time.Since(start).Seconds(), d.Seconds(), n, n-last)
				last = n
			}
		}
	})
	return func() { once.Do(func() { close(quit); wg.Wait() }) }
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
