package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
)

// Config tunes a relay.
type Config struct {
	// Name names the relay's cursor and leader lock; one per service.
	Name string
	// BatchSize is how many events are read and published per round.
	BatchSize int
	// PollInterval is how long a relay waits before looking again after a
	// round that found events; each round that finds none doubles the
	// wait, up to IdlePollInterval. A busy relay keeps looking every
	// PollInterval; an idle one costs PostgreSQL a query every
	// IdlePollInterval instead of 200 a second (measured: the eight idle
	// relays of the dev stack used 0.7 of the 2-core machine at 5 ms).
	PollInterval     time.Duration
	IdlePollInterval time.Duration
	// CheckpointInterval is how often at most the cursor is saved while
	// events are being published (and once more on a graceful stop). The
	// cursor is only where a new leader resumes: what it re-sends,
	// JetStream's duplicate window drops (NATS_DUPLICATE_WINDOW, minutes),
	// and consumers apply each event once anyway. Saving it every round
	// cost a commit per round — under load most of a relay's PostgreSQL
	// work (measured: 9.9 commits per command with it).
	CheckpointInterval time.Duration
	// AckTimeout bounds the wait for JetStream to acknowledge a batch.
	AckTimeout time.Duration
	// MaxBackoff caps the wait between retries while NATS or PostgreSQL is
	// failing. Retries never stop.
	MaxBackoff time.Duration
	// Registerer, if set, receives the relay's Prometheus metrics.
	Registerer prometheus.Registerer
}

func (c *Config) setDefaults() {
	if c.Name == "" {
		c.Name = "relay"
	}
	if c.BatchSize == 0 {
		c.BatchSize = 500
	}
	if c.PollInterval == 0 {
		c.PollInterval = 5 * time.Millisecond
	}
	if c.IdlePollInterval == 0 {
		c.IdlePollInterval = max(c.PollInterval, 40*time.Millisecond)
	}
	if c.CheckpointInterval == 0 {
		c.CheckpointInterval = 250 * time.Millisecond
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = 5 * time.Second
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 5 * time.Second
	}
}

// Validate checks the config after defaults.
func (c *Config) Validate() error {
	switch {
	case c.BatchSize < 1 || c.BatchSize > 10000:
		return fmt.Errorf("relay batch size %d: want 1..10000", c.BatchSize)
	case c.PollInterval < time.Millisecond || c.PollInterval > 10*time.Second:
		return fmt.Errorf("relay poll interval %v: want 1ms..10s", c.PollInterval)
	case c.IdlePollInterval < c.PollInterval || c.IdlePollInterval > 10*time.Second:
		return fmt.Errorf("relay idle poll interval %v: want %v..10s", c.IdlePollInterval, c.PollInterval)
	case c.CheckpointInterval < 0 || c.CheckpointInterval > time.Minute:
		return fmt.Errorf("relay checkpoint interval %v: want up to 1m (well inside the stream's duplicate window)", c.CheckpointInterval)
	case c.AckTimeout < 100*time.Millisecond:
		return fmt.Errorf("relay ack timeout %v: want at least 100ms", c.AckTimeout)
	case c.MaxBackoff < 10*time.Millisecond:
		return fmt.Errorf("relay max backoff %v: want at least 10ms", c.MaxBackoff)
	}
	return nil
}

// Status is a snapshot of the relay's progress.
type Status struct {
	Leader bool
	// Position is where publication has got; Checkpoint where a new
	// leader would resume (at most CheckpointInterval behind).
	Position   eventstore.Position
	Checkpoint eventstore.Position
	Published  uint64 // events acknowledged as newly stored
	Duplicates uint64 // events JetStream had already (after a restart)
	// Lag is how long the oldest committed-but-unpublished event has
	// waited, as of the last read; 0 when caught up.
	Lag         time.Duration
	LastError   string
	LastErrorAt time.Time
}

// Relay publishes one store's events to JetStream.
type Relay struct {
	store  *eventstore.Store
	js     jetstream.JetStream
	cfg    Config
	logger *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	status Status

	metrics *metrics

	// beforeCheckpoint lets tests kill the relay between publishing and
	// saving its cursor.
	beforeCheckpoint func(eventstore.Position) error
}

// New returns a relay publishing store's events through nc.
func New(store *eventstore.Store, nc *nats.Conn, cfg Config, logger *slog.Logger) (*Relay, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(cfg.BatchSize*2))
	if err != nil {
		return nil, fmt.Errorf("relay %s: %w", cfg.Name, err)
	}
	m, err := newMetrics(cfg.Registerer, cfg.Name)
	if err != nil {
		return nil, err
	}
	return &Relay{store: store, js: js, cfg: cfg, logger: logger.With("relay", cfg.Name), now: time.Now, metrics: m}, nil
}

// Status returns the current progress.
func (r *Relay) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Run publishes until ctx ends. It first waits to become the leader, and
// leads until its leader lock is lost (its PostgreSQL connection died, say
// in a database restart: another relay may lead now), then waits to lead
// again. It returns nil on cancellation; any other error means it cannot
// go on.
func (r *Relay) Run(ctx context.Context) error {
	for {
		lock, err := r.store.Lock(ctx, "relay:"+r.cfg.Name, time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		err = r.lead(ctx, lock)
		lock.Release()
		if !errors.Is(err, errLeadershipLost) {
			return err
		}
		r.fail(err)
	}
}

// errLeadershipLost ends a lead: the relay no longer holds its lock.
var errLeadershipLost = errors.New("relay lost its leader lock")

// lead publishes while the relay holds lock: from the cursor, round after
// round, retrying failed rounds with backoff.
func (r *Relay) lead(ctx context.Context, lock *pgkit.SessionLock) error {
	r.update(func(s *Status) { s.Leader = true })
	defer r.update(func(s *Status) { s.Leader = false })
	r.logger.Info("relay leading")

	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 50 * time.Millisecond
	bo.MaxInterval = r.cfg.MaxBackoff
	bo.MaxElapsedTime = 0 // never give up: events wait in PostgreSQL

	var pos, saved eventstore.Position
	loaded := false
	lastSave := r.now()
	idle := r.cfg.PollInterval
	// A graceful stop leaves the cursor where publication got, so the next
	// leader re-sends nothing; a crash leaves it at the last checkpoint.
	defer func() {
		if ctx.Err() == nil || !loaded || pos == saved {
			return
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if lock.Check(sctx) == nil {
			if err := r.checkpoint(sctx, pos); err != nil {
				r.logger.Warn("relay could not save its cursor on stopping; the next leader re-sends from the last checkpoint", "err", err)
			}
		}
	}()
	for ctx.Err() == nil {
		// Every round is checked to still lead: a cursor saved by a relay
		// that no longer leads could move back over another's progress.
		if err := lock.Check(ctx); err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("%w: %w", errLeadershipLost, err)
		}
		var n int
		var err error
		if !loaded {
			pos, err = r.store.LoadCursor(ctx, r.cfg.Name)
			saved, loaded = pos, err == nil
			r.update(func(s *Status) { s.Position, s.Checkpoint = pos, pos })
		} else {
			n, err = r.round(ctx, &pos)
			if pos != saved && r.now().Sub(lastSave) >= r.cfg.CheckpointInterval {
				if cerr := r.checkpoint(ctx, pos); cerr != nil {
					err = errors.Join(err, cerr)
				} else {
					saved, lastSave = pos, r.now()
				}
			}
		}
		if err != nil {
			var fatal fatalError
			if errors.As(err, &fatal) {
				return fatal.err
			}
			if ctx.Err() != nil {
				break
			}
			r.fail(err)
			wait(ctx, bo.NextBackOff())
			continue
		}
		bo.Reset()
		switch {
		case n == 0:
			wait(ctx, idle)
			idle = min(2*idle, r.cfg.IdlePollInterval)
		case n < r.cfg.BatchSize:
			idle = r.cfg.PollInterval
			wait(ctx, idle)
		default:
			idle = r.cfg.PollInterval
		}
	}
	return nil
}

type fatalError struct{ err error }

func (f fatalError) Error() string { return f.err.Error() }

// checkpoint saves the cursor at pos.
func (r *Relay) checkpoint(ctx context.Context, pos eventstore.Position) error {
	if r.beforeCheckpoint != nil {
		if err := r.beforeCheckpoint(pos); err != nil {
			return fatalError{err}
		}
	}
	if err := r.store.SaveCursor(ctx, r.cfg.Name, pos); err != nil {
		// Published but not checkpointed: a new leader re-sends from the
		// last checkpoint and JetStream drops the repeats.
		return err
	}
	r.update(func(s *Status) { s.Checkpoint = pos })
	return nil
}

// round reads one batch, publishes it and advances pos past the longest
// acknowledged prefix. It returns how many events it read.
func (r *Relay) round(ctx context.Context, pos *eventstore.Position) (int, error) {
	recs, err := r.store.ReadAll(ctx, *pos, r.cfg.BatchSize)
	if err != nil {
		return 0, err
	}
	if len(recs) == 0 {
		r.update(func(s *Status) { s.Lag = 0 })
		r.metrics.lag.Set(0)
		return 0, nil
	}
	lag := r.now().Sub(recs[0].RecordedAt)
	r.update(func(s *Status) { s.Lag = lag })
	r.metrics.lag.Set(lag.Seconds())

	acked, dups, pubErr := r.publish(ctx, recs)
	if acked > 0 {
		last := recs[acked-1].Position
		*pos = last
		now := r.now()
		for _, rec := range recs[:acked] {
			r.metrics.commitToPublish.Observe(now.Sub(rec.RecordedAt).Seconds())
		}
		r.metrics.published.Add(float64(acked - dups))
		r.metrics.duplicates.Add(float64(dups))
		r.update(func(s *Status) {
			s.Position = last
			s.Published += uint64(acked - dups)
			s.Duplicates += uint64(dups)
		})
	}
	if pubErr != nil {
		return acked, pubErr
	}
	return len(recs), nil
}

// publish sends the batch asynchronously on one connection and returns the
// length of the acknowledged prefix; the next round resumes after it.
//
// Async publishing can store a later message when an earlier one failed
// (a server-side rejection, a leader change in a cluster); the earlier one
// would then be stored after it on retry. So an event is sent only once every
// earlier event of the same patient and of the same stream in this batch is
// acknowledged: whatever fails, per-patient and per-stream order on
// JetStream is commit order. The batch goes in waves (planWaves): each wave
// is sent at once and acknowledged before the next, so a round costs as many
// ack round trips as the longest chain of one patient's events in it — not
// one per command, which is what waiting in the send loop cost (a command's
// event and its access record share the patient).
func (r *Relay) publish(ctx context.Context, recs []eventstore.Record) (acked, dups int, err error) {
	// Each wait gets the whole AckTimeout: a long run of one patient's
	// events is acknowledged one wave at a time, and a deadline for the
	// batch would fail it forever on a slow link.
	timeout := r.cfg.AckTimeout
	done := make([]*inflight, len(recs))
	for _, wave := range planWaves(recs) {
		sent := make([]*inflight, 0, len(wave))
		for _, i := range wave {
			in, serr := r.send(i, &recs[i])
			if serr != nil {
				err = serr
				break
			}
			sent = append(sent, in)
		}
		// Every sent event is waited for, so the acknowledged prefix is
		// known even when the wave failed part way.
		for _, in := range sent {
			if werr := in.wait(ctx, timeout); werr != nil {
				err = errors.Join(err, werr)
				continue
			}
			done[in.index] = in
		}
		if err != nil {
			break // a later wave would overtake what failed
		}
	}
	for acked < len(recs) && done[acked] != nil {
		if done[acked].duplicate {
			dups++
		}
		acked++
	}
	return acked, dups, err
}

// send publishes the batch's i-th event, rec, asynchronously.
func (r *Relay) send(i int, rec *eventstore.Record) (*inflight, error) {
	subject, err := events.SubjectOf(&events.Envelope{Type: rec.Type, Area: rec.Area, Subject: rec.Subject, StreamID: rec.StreamID})
	if err != nil {
		// The store validated this envelope at append; this would be a bug.
		return nil, fatalError{fmt.Errorf("event %s at %v has no subject: %w", rec.EventID, rec.Position, err)}
	}
	msg := &nats.Msg{Subject: subject, Data: rec.Envelope, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, rec.EventID.String())
	msg.Header.Set("Content-Type", events.ContentType)
	f, err := r.js.PublishMsgAsync(msg, jetstream.WithExpectStream(natskit.EventStream))
	if err != nil {
		return nil, fmt.Errorf("publish event %s: %w", rec.EventID, err)
	}
	return &inflight{index: i, rec: rec, future: f}, nil
}

// planWaves splits a batch into waves of indexes, in batch order within
// each: an event goes in the wave after the last earlier event that shares
// its stream or its patient, so no event is sent before those are
// acknowledged, and everything else goes as early as it can.
func planWaves(recs []eventstore.Record) [][]int {
	var waves [][]int
	last := make(map[string]int, 2*len(recs)) // key → wave of its latest event
	for i := range recs {
		keys := orderKeys(&recs[i])
		w := 0
		for _, k := range keys {
			if prev, ok := last[k]; ok && k != "" {
				w = max(w, prev+1)
			}
		}
		for _, k := range keys {
			if k != "" {
				last[k] = w
			}
		}
		if w == len(waves) {
			waves = append(waves, nil)
		}
		waves[w] = append(waves[w], i)
	}
	return waves
}

// orderKeys are what an event must not overtake: its stream and its patient.
func orderKeys(rec *eventstore.Record) [2]string {
	keys := [2]string{"s:" + rec.StreamID}
	if rec.Subject != "" {
		keys[1] = "p:" + rec.Subject
	}
	return keys
}

// inflight is one published event awaiting its ack. A future's channels
// deliver once, so the outcome is kept for later waits.
type inflight struct {
	index     int // in the batch
	rec       *eventstore.Record
	future    jetstream.PubAckFuture
	settled   bool
	duplicate bool
	err       error
}

func (in *inflight) wait(ctx context.Context, timeout time.Duration) error {
	if in.settled {
		return in.err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case ack := <-in.future.Ok():
		in.duplicate = ack.Duplicate
	case err := <-in.future.Err():
		in.err = fmt.Errorf("publish event %s: %w", in.rec.EventID, err)
	case <-ctx.Done():
		return fmt.Errorf("no ack for event %s: %w", in.rec.EventID, ctx.Err())
	}
	in.settled = true
	return in.err
}

func (r *Relay) fail(err error) {
	r.logger.Warn("relay round failed; retrying", "err", err)
	r.metrics.errors.Inc()
	r.update(func(s *Status) { s.LastError, s.LastErrorAt = err.Error(), r.now() })
}

func (r *Relay) update(f func(*Status)) {
	r.mu.Lock()
	f(&r.status)
	r.mu.Unlock()
}

func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
