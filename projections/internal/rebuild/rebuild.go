// Package rebuild replays the whole event stream into a fresh generation of
// the read models and makes it live without stopping anyone.
//
// The projector and the query API keep using the live generation while the
// new one is built beside it. Events are replayed in stream order through
// the projector's own code (timeline.Projector, store.Store), with the bulk
// writes a fresh table allows: timeline entries and the ledger go in by
// COPY, marks and view updates in pipelined batches, one transaction per
// batch per writer. Each writer owns a share of the partitions, so every
// partition's events stay in order, as they do for the projector.
//
// Once the replay has caught up, the rebuild closes the gate (it locks the
// live-generation pointer, which every projector transaction holds FOR
// SHARE): no projector transaction is in flight and none can start. It reads
// the stream's last sequence, applies the rest up to there, and moves the
// pointer in the same transaction that held the gate. Every event the
// projector applied to the old generation is therefore in the new one, and
// the projector's next transaction writes to the new one; an event both
// apply is recorded in the new generation's ledger and changes nothing the
// second time.
package rebuild

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/consumer"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/projections/internal/store"
	"github.com/careweave/careweave/projections/internal/timeline"
	"github.com/careweave/careweave/projections/internal/worker"
)

// Config tunes a rebuild. The zero value of each field takes its default.
type Config struct {
	// Control is the read models' control schema.
	Control string
	// Batch is how many events a writer applies per transaction (default 4,000).
	Batch int
	// Writers apply batches concurrently, each for its share of the
	// partitions (default 2).
	Writers int
	// Keep is how many retired generations keep their tables (default 1:
	// a reader that looked up the live generation just before the switch
	// may still be reading the one before).
	Keep int
	// GateTimeout is the longest the gate may stay closed while the last
	// events are applied; past it the gate opens and the rebuild catches up
	// again before another try (default 10 s).
	GateTimeout time.Duration
	// Progress, if set, is called after every batch.
	Progress func(Progress)

	// beforeSwitch, if set, runs with the gate closed, just before the
	// pointer moves (tests use it to prove the gate holds).
	beforeSwitch func(gen int)
}

func (c *Config) defaults() {
	if c.Batch <= 0 {
		c.Batch = 4000
	}
	if c.Writers <= 0 {
		c.Writers = 2
	}
	if c.Keep <= 0 {
		c.Keep = 1
	}
	if c.GateTimeout <= 0 {
		c.GateTimeout = 10 * time.Second
	}
}

// Phase is what a rebuild is doing.
type Phase string

// Phases of a rebuild.
const (
	Replaying Phase = "replaying" // bulk replay up to the stream's end
	Switching Phase = "switching" // gate closed: the last events, then the switch
)

// Progress is reported after every batch.
type Progress struct {
	Generation int
	Phase      Phase
	// Done and Total count stream sequences from the stream's first: the
	// replay has read Done of Total (Total grows as events keep arriving).
	Done, Total uint64
	Applied     int64 // events applied so far
	Elapsed     time.Duration
}

// Result is what a rebuild did.
type Result struct {
	Generation int   // the new live generation
	Previous   int   // the one it replaced
	Applied    int64 // events applied
	Entries    int64 // timeline entries written
	Repeats    int64 // events met a second time (republished after the dedup window) and skipped
	// Parked are events the projector cannot apply either (it parks them
	// with their reason); the rebuild skips and logs them.
	Parked   int64
	LastSeq  uint64        // the stream sequence the new generation has reached
	Elapsed  time.Duration // from start to switch
	GateHeld time.Duration // how long projectors waited for the switch
	Dropped  []int         // retired generations whose tables were dropped
	// Where the time went: waiting for the stream, decoding and projecting
	// events, and waiting for the writers (which write one batch while the
	// next is read and projected).
	Reading, Projecting, Writing time.Duration
	Writers                      int // how many wrote concurrently
}

// ErrBusy is returned when another rebuild of the same read models is
// running.
var ErrBusy = errors.New("another rebuild of these read models is running")

// Run rebuilds the read models under cfg.Control and switches to them.
// If it fails, or ctx ends, the generation it was building is dropped and
// the live one stays live.
func Run(ctx context.Context, pool *pgxpool.Pool, js jetstream.JetStream, cfg Config, logger *slog.Logger) (Result, error) {
	cfg.defaults()
	gens, err := store.NewGenerations(cfg.Control)
	if err != nil {
		return Result{}, err
	}
	lockCtx, cancel := context.WithTimeout(ctx, time.Second)
	lock, err := pgkit.AcquireLock(lockCtx, pool, "rebuild:"+cfg.Control, 100*time.Millisecond)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		return Result{}, ErrBusy
	}
	defer lock.Release()

	if err := pgkit.Migrate(ctx, pool, cfg.Control, store.ControlMigrations()...); err != nil {
		return Result{}, err
	}
	if _, err := gens.Prepare(ctx, pool); err != nil {
		return Result{}, err
	}
	gen, err := gens.Begin(ctx, pool)
	if err != nil {
		return Result{}, err
	}
	r, err := newRun(ctx, pool, js, gens, gen, cfg, logger)
	if err == nil {
		err = r.run(ctx)
	}
	if err != nil {
		if aerr := gens.Abandon(ctx, pool, gen); aerr != nil {
			logger.Error("could not drop the unfinished generation", "generation", gen, "err", aerr)
		}
		return r.result, fmt.Errorf("rebuild generation %d: %w", gen, err)
	}
	if r.result.Dropped, err = gens.Prune(ctx, pool, cfg.Keep); err != nil {
		logger.Warn("could not drop retired generations", "err", err)
	}
	return r.result, nil
}

// run is one rebuild in progress.
type run struct {
	pool      *pgxpool.Pool
	gens      *store.Generations
	gen       int
	cfg       Config
	logger    *slog.Logger
	stream    jetstream.Stream
	store     *store.Store
	ledger    *consumer.Ledger
	registry  *events.Registry
	projector *timeline.Projector

	seen     map[events.ID]struct{} // every event id applied: a republished event is a repeat
	firstSeq uint64
	lastSeq  uint64 // the last stream sequence read
	total    uint64
	start    time.Time
	writing  *writing // the batch being written, if any
	result   Result
}

func newRun(ctx context.Context, pool *pgxpool.Pool, js jetstream.JetStream, gens *store.Generations, gen int, cfg Config, logger *slog.Logger) (*run, error) {
	st, err := store.New(gens.Schema(gen))
	if err != nil {
		return nil, err
	}
	ledger, err := consumer.NewLedger(pool, gens.Schema(gen))
	if err != nil {
		return nil, err
	}
	projector, err := timeline.New()
	if err != nil {
		return nil, err
	}
	stream, err := js.Stream(ctx, natskit.EventStream)
	if err != nil {
		return nil, fmt.Errorf("find stream %s: %w", natskit.EventStream, err)
	}
	return &run{
		pool: pool, gens: gens, gen: gen, cfg: cfg, logger: logger.With("generation", gen),
		stream: stream, store: st, ledger: ledger, registry: timeline.Registry(), projector: projector,
		seen: map[events.ID]struct{}{}, start: time.Now(), result: Result{Generation: gen, Writers: cfg.Writers},
	}, nil
}

func (r *run) run(ctx context.Context) error {
	info, err := r.stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("read stream state: %w", err)
	}
	r.firstSeq, r.total = info.State.FirstSeq, info.State.LastSeq
	r.logger.Info("rebuild started", "from_seq", info.State.FirstSeq, "to_seq", info.State.LastSeq, "events", info.State.Msgs)

	cons, err := r.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: timeline.Filters(-1),
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("replay consumer: %w", err)
	}
	feed, err := newFeed(cons, r.cfg.Batch)
	if err != nil {
		return err
	}
	defer feed.stop()
	defer func() { _ = r.flush() }() // no writer outlives the run, whatever happened

	for attempt := 1; ; attempt++ {
		if err := r.replay(ctx, feed); err != nil {
			return err
		}
		switched, err := r.switchOver(ctx, feed)
		if err != nil || switched {
			return err
		}
		if attempt == 5 {
			return errors.New("events keep arriving faster than the gate allows: gave up switching after 5 tries")
		}
		r.logger.Warn("could not apply the last events within the gate timeout; catching up before trying again", "attempt", attempt)
	}
}

// replay applies batches until the replay has read everything the stream
// held when it started, or has caught up with it since.
func (r *run) replay(ctx context.Context, feed *feed) error {
	for {
		waiting := time.Now()
		msgs, caughtUp, err := feed.next(ctx, 100*time.Millisecond)
		r.result.Reading += time.Since(waiting)
		if err != nil {
			return err
		}
		if err := r.apply(ctx, msgs); err != nil {
			return err
		}
		r.report(Replaying)
		if caughtUp || len(msgs) == 0 && r.lastSeq >= r.total {
			return nil
		}
	}
}

// switchOver closes the gate, applies the events up to the stream's last
// sequence at that moment, and makes the new generation live. It reports
// false, with the gate opened again, if that takes longer than the gate
// timeout.
func (r *run) switchOver(ctx context.Context, feed *feed) (bool, error) {
	gate, err := r.gens.Close(ctx, r.pool)
	if err != nil {
		return false, err
	}
	closed := time.Now()
	info, err := r.stream.Info(ctx)
	if err != nil {
		gate.Open(ctx)
		return false, fmt.Errorf("read stream state: %w", err)
	}
	end := info.State.LastSeq
	if end > r.total {
		r.total = end
	}
	deadline := closed.Add(r.cfg.GateTimeout)
	for r.lastSeq < end {
		if time.Now().After(deadline) {
			gate.Open(ctx)
			return false, nil
		}
		msgs, _, err := feed.next(ctx, 100*time.Millisecond)
		if err != nil {
			gate.Open(ctx)
			return false, err
		}
		if len(msgs) == 0 {
			// Nothing delivered: the rest of the range may be gone
			// (deleted messages). Ask the consumer.
			if pending, err := feed.pending(ctx); err == nil && pending == 0 && feed.buffered() == 0 {
				break
			}
		}
		if err := r.apply(ctx, msgs); err != nil {
			gate.Open(ctx)
			return false, err
		}
		r.report(Switching)
	}
	if err := r.flush(); err != nil {
		gate.Open(ctx)
		return false, err
	}
	if r.cfg.beforeSwitch != nil {
		r.cfg.beforeSwitch(r.gen)
	}
	r.result.Previous = gate.Live()
	r.result.Elapsed = time.Since(r.start)
	if err := r.gens.Switch(ctx, gate, r.gen, r.result.Applied); err != nil {
		return false, err
	}
	r.result.GateHeld = time.Since(closed)
	r.result.LastSeq = r.lastSeq
	r.logger.Info("rebuild switched", "previous", r.result.Previous, "applied", r.result.Applied, "entries", r.result.Entries,
		"repeats", r.result.Repeats, "parked", r.result.Parked, "last_seq", r.lastSeq,
		"elapsed", r.result.Elapsed.Round(time.Millisecond).String(), "gate_held", r.result.GateHeld.Round(time.Millisecond).String())
	return true, nil
}

func (r *run) report(phase Phase) {
	if r.cfg.Progress == nil {
		return
	}
	p := Progress{Generation: r.gen, Phase: phase, Applied: r.result.Applied, Elapsed: time.Since(r.start)}
	if r.total >= r.firstSeq && r.firstSeq > 0 {
		p.Total = r.total - r.firstSeq + 1
		if r.lastSeq >= r.firstSeq {
			p.Done = r.lastSeq - r.firstSeq + 1
		}
	}
	r.cfg.Progress(p)
}

// item is one event ready to write.
type item struct {
	env       events.Envelope
	data      events.Data
	effect    timeline.Effect
	seq       uint64
	partition int
	repeat    bool // applied before: only the position moves
}

// apply decodes and projects msgs in order, then, once the previous batch
// is written, starts the writers on this one, each on its partitions'
// share, and returns: the next batch is read and projected while this one
// is written. flush waits for the writers.
func (r *run) apply(ctx context.Context, msgs []jetstream.Msg) error {
	if len(msgs) == 0 {
		return nil
	}
	began := time.Now()
	shares := make([][]item, r.cfg.Writers)
	for _, m := range msgs {
		meta, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("read message metadata: %w", err)
		}
		r.lastSeq = meta.Sequence.Stream
		it, ok := r.prepare(m.Data(), meta.Sequence.Stream)
		if !ok {
			continue
		}
		if !it.repeat {
			r.result.Applied++
		}
		w := it.partition % r.cfg.Writers
		shares[w] = append(shares[w], it)
	}
	r.result.Projecting += time.Since(began)
	if err := r.flush(); err != nil {
		return err
	}
	w := &writing{done: make(chan struct{})}
	r.writing = w
	go func() {
		defer close(w.done)
		var wg sync.WaitGroup
		errs := make([]error, len(shares))
		entries := make([]int64, len(shares))
		for i, share := range shares {
			if len(share) > 0 {
				wg.Go(func() { entries[i], errs[i] = r.write(ctx, share) })
			}
		}
		wg.Wait()
		w.err = errors.Join(errs...)
		for _, n := range entries {
			w.entries += n
		}
	}()
	return nil
}

// writing is a batch being written.
type writing struct {
	done    chan struct{}
	err     error
	entries int64
}

// flush waits until the batch being written, if any, is committed.
func (r *run) flush() error {
	w := r.writing
	if w == nil {
		return nil
	}
	waiting := time.Now()
	<-w.done
	r.result.Writing += time.Since(waiting)
	r.writing = nil
	r.result.Entries += w.entries
	return w.err
}

// prepare decodes and projects one event as the projector would. An event
// the projector would park is skipped and logged; a repeat only moves its
// partition's position.
func (r *run) prepare(payload []byte, seq uint64) (item, bool) {
	env, err := events.Decode(payload)
	if err != nil {
		r.park(seq, "", "", err)
		return item{}, false
	}
	partition := events.Partition(env.PartitionKey())
	if _, dup := r.seen[env.ID]; dup {
		// The projector's ledger skips it, but its position moves on.
		r.result.Repeats++
		return item{env: env, seq: seq, partition: partition, repeat: true}, true
	}
	data, err := r.registry.Decode(env)
	if err != nil {
		r.park(seq, env.ID.String(), env.Type, err)
		return item{}, false
	}
	eff, err := r.projector.Project(env, data)
	if err != nil {
		r.park(seq, env.ID.String(), env.Type, err)
		return item{}, false
	}
	r.seen[env.ID] = struct{}{}
	return item{env: env, data: data, effect: eff, seq: seq, partition: partition}, true
}

func (r *run) park(seq uint64, id, typ string, err error) {
	r.result.Parked++
	r.logger.Warn("event skipped: the projector cannot apply it either", "seq", seq, "event_id", id, "type", typ, "err", err)
}

// write applies one writer's share of a batch in one transaction: the
// entries and the ledger by COPY, then, pipelined and in event order, the
// marks and the view updates, then each partition's position.
func (r *run) write(ctx context.Context, share []item) (int64, error) {
	var rows []store.Row
	ids := make([]events.ID, 0, len(share))
	type position struct {
		seq uint64
		at  time.Time
	}
	positions := map[int]position{}
	for _, it := range share {
		positions[it.partition] = position{seq: it.seq, at: it.env.Time}
		if it.repeat {
			continue
		}
		for i, e := range it.effect.Add {
			if addedEarlier(it.effect.Add[:i], e) {
				continue // the projector's insert would skip it too
			}
			rows = append(rows, store.Row{Entry: e, StreamSeq: it.seq})
		}
		ids = append(ids, it.env.ID)
	}
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if err := r.store.CopyEntries(ctx, tx, rows); err != nil {
			return err
		}
		if err := r.ledger.RecordApplied(ctx, tx, worker.Ledger, ids); err != nil {
			return err
		}
		var b store.Batch
		for _, it := range share {
			if it.repeat {
				continue
			}
			if err := r.store.ApplyMarks(ctx, &b, it.env, it.effect.Mark); err != nil {
				return err
			}
			if err := r.store.ApplyViews(ctx, &b, it.env, it.data); err != nil {
				return err
			}
		}
		for p, pos := range positions {
			if err := r.store.SavePosition(ctx, &b, worker.ConsumerName(p), pos.seq, pos.at); err != nil {
				return err
			}
		}
		if err := b.Send(ctx, tx); err != nil {
			return fmt.Errorf("apply marks and views: %w", err)
		}
		return nil
	})
	return int64(len(rows)), err
}

func addedEarlier(earlier []timeline.Entry, e timeline.Entry) bool {
	for _, x := range earlier {
		if x.Patient == e.Patient {
			return true
		}
	}
	return false
}
