// Package worker runs the timeline projection: one durable JetStream
// consumer per partition, each applying its events in order. An event's
// timeline effect, the record that it was consumed, and the partition's
// position commit in one transaction, so a redelivery changes nothing and a
// crash loses nothing. Several worker processes may take the same
// partitions: each partition's consumer hands out one message at a time
// (MaxAckPending 1), so they share the load without breaking the order.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/consumer"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/projections/internal/store"
	"github.com/careweave/careweave/projections/internal/timeline"
)

// Ledger is the consumer name events are recorded under: one per
// projection, shared by its partitions.
const Ledger = "timeline"

// ConsumerName is partition p's durable consumer.
func ConsumerName(p int) string { return natskit.ProjectorDurable(p) }

// consumerConfig is partition p's consumer: the projected services' events
// of the partition.
func consumerConfig(p int) consumer.Config {
	return consumer.Config{Name: ConsumerName(p), FilterSubjects: timeline.Filters(p)}
}

// Consumers are the durable consumers of every partition, as the workers
// want them. Where the projector's NATS user may not create them
// (Config.Existing), an administrator makes them from these.
func Consumers() []natskit.ConsumerSpec {
	out := make([]natskit.ConsumerSpec, 0, events.Partitions)
	for p := range events.Partitions {
		out = append(out, consumerConfig(p).Spec())
	}
	return out
}

// Config says which partitions this process works on.
type Config struct {
	Partitions []int // default: all of them
	// Existing says the consumers exist (an administrator made them from
	// Consumers) and may only be bound to (consumer.Config.Existing).
	Existing bool
}

// Run consumes until ctx ends. The schema is the control schema, prepared
// with a live generation: each event is written to whichever generation of
// the read models is live (see store.Generations), which a rebuild may
// switch between two events.
func Run(ctx context.Context, js jetstream.JetStream, pool *pgxpool.Pool, control string, cfg Config, logger *slog.Logger) error {
	if len(cfg.Partitions) == 0 {
		for p := range events.Partitions {
			cfg.Partitions = append(cfg.Partitions, p)
		}
	}
	gens, err := store.NewGenerations(control)
	if err != nil {
		return err
	}
	reg := timeline.Registry()
	projector, err := timeline.New()
	if err != nil {
		return err
	}
	models := &models{pool: pool, gens: gens, by: map[int]model{}}
	procs := make([]*consumer.Processor, 0, len(cfg.Partitions))
	for _, p := range cfg.Partitions {
		if p < 0 || p >= events.Partitions {
			return fmt.Errorf("partition %d: want 0..%d", p, events.Partitions-1)
		}
		cc := consumerConfig(p)
		cc.Existing = cfg.Existing
		proc, err := consumer.New(ctx, js, cc, apply(cc.Name, reg, projector, models), logger)
		if err != nil {
			return err
		}
		procs = append(procs, proc)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(procs))
	for _, proc := range procs {
		wg.Go(func() { errs <- proc.Run(ctx) })
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// model is one generation's store and ledger.
type model struct {
	store  *store.Store
	ledger *consumer.Ledger
}

// models hands out each generation's model, made once.
type models struct {
	pool *pgxpool.Pool
	gens *store.Generations
	mu   sync.Mutex
	by   map[int]model
}

func (m *models) get(gen int) (model, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if x, ok := m.by[gen]; ok {
		return x, nil
	}
	st, err := store.New(m.gens.Schema(gen))
	if err != nil {
		return model{}, err
	}
	ledger, err := consumer.NewLedger(m.pool, m.gens.Schema(gen))
	if err != nil {
		return model{}, err
	}
	x := model{store: st, ledger: ledger}
	m.by[gen] = x
	return x, nil
}

// apply is one partition's handler. Its transaction first holds the live
// generation (so a rebuild cannot switch under it), then records the event
// in that generation's ledger, applies it and moves the position, and
// commits all of it together.
func apply(name string, reg *events.Registry, projector *timeline.Projector, models *models) consumer.Handler {
	return func(ctx context.Context, env events.Envelope) error {
		data, err := reg.Decode(env)
		if err != nil {
			return consumer.Permanent(err) // an unknown or malformed event is parked with its reason
		}
		eff, err := projector.Project(env, data)
		if err != nil {
			return consumer.Permanent(err)
		}
		seq := consumer.StreamSeq(ctx)
		return pgx.BeginFunc(ctx, models.pool, func(tx pgx.Tx) error {
			gen, err := models.gens.LiveForWrite(ctx, tx)
			if err != nil {
				return err
			}
			m, err := models.get(gen)
			if err != nil {
				return err
			}
			// The writes go in one pipelined round trip, after the ledger
			// has said whether the event is new.
			var b store.Batch
			return m.ledger.ApplyOnceTx(ctx, tx, Ledger, env,
				func(ctx context.Context, _ pgx.Tx) error {
					if err := m.store.Apply(ctx, &b, env, seq, eff); err != nil {
						return err
					}
					return m.store.ApplyViews(ctx, &b, env, data)
				},
				func(ctx context.Context, tx pgx.Tx) error {
					if err := m.store.SavePosition(ctx, &b, name, seq, env.Time); err != nil {
						return err
					}
					if err := b.Send(ctx, tx); err != nil {
						return fmt.Errorf("apply event %s: %w", env.ID, err)
					}
					return nil
				})
		})
	}
}
