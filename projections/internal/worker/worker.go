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
	"github.com/careweave/careweave/projections/internal/store"
	"github.com/careweave/careweave/projections/internal/timeline"
)

// Ledger is the consumer name events are recorded under: one per
// projection, shared by its partitions.
const Ledger = "timeline"

// ConsumerName is partition p's durable consumer.
func ConsumerName(p int) string { return fmt.Sprintf("timeline-p%02d", p) }

// Config says which partitions this process works on.
type Config struct {
	Partitions []int // default: all of them
}

// Run consumes until ctx ends.
func Run(ctx context.Context, js jetstream.JetStream, pool *pgxpool.Pool, schema string, cfg Config, logger *slog.Logger) error {
	if len(cfg.Partitions) == 0 {
		for p := range events.Partitions {
			cfg.Partitions = append(cfg.Partitions, p)
		}
	}
	st, err := store.New(schema)
	if err != nil {
		return err
	}
	ledger, err := consumer.NewLedger(pool, schema)
	if err != nil {
		return err
	}
	reg := timeline.Registry()
	projector, err := timeline.New()
	if err != nil {
		return err
	}
	procs := make([]*consumer.Processor, 0, len(cfg.Partitions))
	for _, p := range cfg.Partitions {
		if p < 0 || p >= events.Partitions {
			return fmt.Errorf("partition %d: want 0..%d", p, events.Partitions-1)
		}
		name := ConsumerName(p)
		proc, err := consumer.New(ctx, js, consumer.Config{Name: name, FilterSubjects: []string{events.FilterPartition(p)}},
			apply(name, reg, projector, ledger, st), logger)
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

// apply is one partition's handler.
func apply(name string, reg *events.Registry, projector *timeline.Projector, ledger *consumer.Ledger, st *store.Store) consumer.Handler {
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
		return ledger.ApplyOnce(ctx, Ledger, env,
			func(ctx context.Context, tx pgx.Tx) error {
				if err := st.Apply(ctx, tx, env, seq, eff); err != nil {
					return err
				}
				return st.ApplyViews(ctx, tx, env, data)
			},
			func(ctx context.Context, tx pgx.Tx) error { return st.SavePosition(ctx, tx, name, seq, env.Time) })
	}
}
