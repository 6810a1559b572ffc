package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/eventstore"
)

// warmupTxs is how many transactions each writer runs before the clock
// starts, so connections and prepared statements exist.
const warmupTxs = 3

// appendCase is one cell of the writers × events-per-transaction grid.
type appendCase struct {
	writers, perTx int
}

func (c appendCase) String() string {
	w := "writers"
	if c.writers == 1 {
		w = "writer"
	}
	return fmt.Sprintf("%d %s, %d/tx", c.writers, w, c.perTx)
}

// appendRun is one timed run of a case.
type appendRun struct {
	events, txs int64
	elapsed     time.Duration
	txLatency   latencySummary
	usage       usage
}

func (r appendRun) rate() float64 { return rate(r.events, r.elapsed) }

// appendPair is a case measured once each way, in fresh tables.
type appendPair struct {
	ours, base appendRun
	oursFirst  bool
}

func (p appendPair) ratio() float64 { return p.ours.rate() / p.base.rate() }

// noisy reports whether other processes were busy during either side, so
// the pair says more about them than about us.
func (p appendPair) noisy() bool {
	return p.ours.usage.other >= noisyOther || p.base.usage.other >= noisyOther
}

// appendResult is a case measured both ways, cfg.Repeat times.
type appendResult struct {
	c     appendCase
	pairs []appendPair
}

// used are the pairs the figures come from: the clean ones, or all of them
// when none is clean.
func (r appendResult) used() []appendPair {
	var clean []appendPair
	for _, p := range r.pairs {
		if !p.noisy() {
			clean = append(clean, p)
		}
	}
	if len(clean) == 0 {
		return r.pairs
	}
	return clean
}

// noisy reports whether every pair was noisy.
func (r appendResult) noisy() bool { return r.used()[0].noisy() }

// oursRate and baseRate are the medians over the pairs used.
func (r appendResult) oursRate() float64 {
	return median(r.used(), func(p appendPair) float64 { return p.ours.rate() })
}

func (r appendResult) baseRate() float64 {
	return median(r.used(), func(p appendPair) float64 { return p.base.rate() })
}

// ratio is the ratio of the medians.
func (r appendResult) ratio() float64 { return r.oursRate() / r.baseRate() }

// ratioRange is the lowest and highest ratio of a single pair used.
func (r appendResult) ratioRange() (lo, hi float64) {
	used := r.used()
	lo, hi = used[0].ratio(), used[0].ratio()
	for _, p := range used[1:] {
		lo, hi = min(lo, p.ratio()), max(hi, p.ratio())
	}
	return lo, hi
}

// medianPair is the pair used whose ratio is the median, for diagnostics.
func (r appendResult) medianPair() appendPair {
	ps := slices.Clone(r.used())
	slices.SortFunc(ps, func(a, b appendPair) int { return cmp.Compare(a.ratio(), b.ratio()) })
	return ps[(len(ps)-1)/2]
}

func median[T any](xs []T, f func(T) float64) float64 {
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = f(x)
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return vs[len(vs)/2]
}

// txFunc appends n events to s in one transaction and advances s.version.
type txFunc func(ctx context.Context, s *stream, n int) error

func (b *bench) appendSection(ctx context.Context) ([]appendResult, error) {
	var out []appendResult
	i := 0
	for _, perTx := range b.cfg.PerTx {
		for _, w := range b.cfg.Writers {
			r := appendResult{c: appendCase{writers: w, perTx: perTx}}
			for rep := range b.cfg.Repeat {
				p, err := b.appendPair(ctx, i, rep, r.c)
				if err != nil {
					return nil, err
				}
				r.pairs = append(r.pairs, p)
			}
			out = append(out, r)
			i++
		}
	}
	return out, nil
}

// appendPair measures one case in fresh tables, ours and baseline in an
// order that alternates from run to run, so a drift over the run does not
// favour either side.
func (b *bench) appendPair(ctx context.Context, i, rep int, c appendCase) (appendPair, error) {
	oursSchema, baseSchema := b.schema(fmt.Sprintf("a%d_%d_ours", i, rep)), b.schema(fmt.Sprintf("a%d_%d_base", i, rep))
	defer b.dropSchemas(ctx, oursSchema, baseSchema)

	store, err := eventstore.New(b.pool, oursSchema)
	if err != nil {
		return appendPair{}, err
	}
	if err := store.Migrate(ctx); err != nil {
		return appendPair{}, err
	}
	if err := createBaselineTable(ctx, b.pool, oursSchema, baseSchema); err != nil {
		return appendPair{}, err
	}

	label := fmt.Sprintf("append %s", c)
	if b.cfg.Repeat > 1 {
		label += fmt.Sprintf(" #%d", rep+1)
	}
	res := appendPair{oursFirst: (i+rep)%2 == 0}
	ours := func() error {
		res.ours, err = b.timedAppends(ctx, label+" ours", c, func() txFunc { return oursTx(store) })
		return err
	}
	base := func() error {
		res.base, err = b.timedAppends(ctx, label+" baseline", c, func() txFunc { return baselineTx(b.pool, baseSchema) })
		return err
	}
	order := []func() error{ours, base}
	if !res.oursFirst {
		order = []func() error{base, ours}
	}
	for _, f := range order {
		if err := f(); err != nil {
			return appendPair{}, err
		}
	}
	return res, nil
}

// createBaselineTable makes base.events a copy of ours.events' definition
// (columns, defaults, identity, constraints and indexes) so the two cannot
// drift apart as the migration evolves.
func createBaselineTable(ctx context.Context, pool *pgxpool.Pool, ours, base string) error {
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+base); err != nil {
		return fmt.Errorf("create baseline schema: %w", err)
	}
	if _, err := pool.Exec(ctx, "CREATE TABLE "+base+".events (LIKE "+ours+".events INCLUDING ALL)"); err != nil {
		return fmt.Errorf("create baseline table: %w", err)
	}
	var oursIdx, baseIdx int
	const q = `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND tablename = 'events'`
	if err := pool.QueryRow(ctx, q, ours).Scan(&oursIdx); err != nil {
		return fmt.Errorf("count indexes: %w", err)
	}
	if err := pool.QueryRow(ctx, q, base).Scan(&baseIdx); err != nil {
		return fmt.Errorf("count indexes: %w", err)
	}
	if oursIdx != baseIdx {
		return fmt.Errorf("baseline table has %d indexes, the event store's has %d", baseIdx, oursIdx)
	}
	return nil
}

// oursTx appends through the event store, as a command handler does.
func oursTx(store *eventstore.Store) txFunc {
	var evs []events.Envelope
	return func(ctx context.Context, s *stream, n int) error {
		now := time.Now()
		evs = evs[:0]
		for range n {
			evs = append(evs, s.next(now))
		}
		v, err := store.Append(ctx, s.id, s.version, evs)
		if err != nil {
			return err
		}
		s.version = v
		return nil
	}
}

// baselineTx inserts the same rows with pre-encoded envelopes: a single-row
// INSERT ... VALUES, or one INSERT from unnest for a batch.
func baselineTx(pool *pgxpool.Pool, schema string) txFunc {
	const cols = ` (stream_id, version, event_id, event_type, subject, area, envelope) `
	one := `INSERT INTO ` + schema + `.events` + cols + `VALUES ($1, $2, $3, $4, $5, $6, $7)`
	many := `INSERT INTO ` + schema + `.events` + cols +
		`SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::json[])`
	var (
		streamIDs, ids, types, subjects, areas []string
		versions                               []int64
		envs                                   [][]byte
	)
	return func(ctx context.Context, s *stream, n int) error {
		now := time.Now()
		e := &s.template
		if n == 1 {
			if _, err := pool.Exec(ctx, one, s.id, s.version+1, events.NewID(now).String(), e.Type, e.Subject, e.Area, s.encoded); err != nil {
				return fmt.Errorf("baseline insert: %w", err)
			}
			s.version++
			return nil
		}
		streamIDs, ids, types, subjects, areas = streamIDs[:0], ids[:0], types[:0], subjects[:0], areas[:0]
		versions, envs = versions[:0], envs[:0]
		for i := range n {
			streamIDs = append(streamIDs, s.id)
			versions = append(versions, s.version+int64(i)+1)
			ids = append(ids, events.NewID(now).String())
			types, subjects, areas = append(types, e.Type), append(subjects, e.Subject), append(areas, e.Area)
			envs = append(envs, s.encoded)
		}
		if _, err := pool.Exec(ctx, many, streamIDs, versions, ids, types, subjects, areas, envs); err != nil {
			return fmt.Errorf("baseline insert: %w", err)
		}
		s.version += int64(n)
		return nil
	}
}

// timedAppends runs c.writers writers, each cycling through its own
// streams, for the configured duration, and counts committed events.
func (b *bench) timedAppends(ctx context.Context, label string, c appendCase, newTx func() txFunc) (appendRun, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		count    atomic.Int64
		ready    sync.WaitGroup
		done     sync.WaitGroup
		start    = make(chan struct{})
		deadline time.Time
		mu       sync.Mutex
		lats     []time.Duration
		txs      int64
	)
	for range c.writers {
		streams, err := newStreams(b.cfg.StreamsPerWriter, b.cfg.DataSize, time.Now())
		if err != nil {
			return appendRun{}, err
		}
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			tx := newTx()
			for k := range warmupTxs {
				if err := tx(ctx, &streams[k%len(streams)], c.perTx); err != nil {
					cancel(err)
					break
				}
			}
			ready.Done()
			select {
			case <-start:
			case <-ctx.Done():
				return
			}
			my := make([]time.Duration, 0, 4096)
			for k := 0; ; k++ {
				t0 := time.Now()
				if !t0.Before(deadline) || ctx.Err() != nil {
					break
				}
				if err := tx(ctx, &streams[k%len(streams)], c.perTx); err != nil {
					cancel(err)
					break
				}
				my = append(my, time.Since(t0))
				count.Add(int64(c.perTx))
			}
			mu.Lock()
			lats = append(lats, my...)
			txs += int64(len(my))
			mu.Unlock()
		}()
	}
	ready.Wait()
	if err := context.Cause(ctx); err != nil {
		done.Wait()
		return appendRun{}, err
	}
	b.settle(ctx)
	before := b.probe.snap(ctx)
	t0 := time.Now()
	deadline = t0.Add(b.cfg.AppendDuration)
	close(start)
	var meter rateMeter
	stop := everySecond(ctx, b.cfg.Progress, label, func(el time.Duration) string {
		n := count.Load()
		return fmt.Sprintf("%4.0fs/%.0fs  %s ev/s over the last second, %s events", el.Seconds(), b.cfg.AppendDuration.Seconds(), fmtRate(meter.rate(n, el)), fmtInt(n))
	})
	done.Wait()
	elapsed := time.Since(t0)
	stop()
	if err := context.Cause(ctx); err != nil {
		return appendRun{}, err
	}
	after := b.probe.snap(ctx)
	r := appendRun{events: count.Load(), txs: txs, elapsed: elapsed, txLatency: summarize(lats), usage: before.until(after)}
	fmt.Fprintf(b.cfg.Progress, "[%s] %s ev/s\n", label, fmtRate(r.rate()))
	return r, nil
}
