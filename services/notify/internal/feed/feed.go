// Package feed turns the discharge and home-visit events into notices on
// each recipient's feed. One durable consumer per partition takes the two
// services' events; for each, in one transaction, it records the event as
// consumed, decides the notices (domain.Route) from who holds the stay or
// visit, appends them to the recipients' feed streams in this service's
// event log and stores the new holding. The service's relay then publishes
// them on the recipients' subjects: nothing is published that is not
// committed, and a redelivered event sends nothing twice.
package feed

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/consumer"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/notify/internal/domain"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the holdings table and the consumer ledger.
func Migrations() []pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return []pgkit.Migrations{consumer.Migrations(), {Name: "notify", FS: sub}}
}

// Ledger is the name events are recorded as consumed under.
const Ledger = "notify"

// ConsumerName is partition p's durable consumer.
func ConsumerName(p int) string { return natskit.NotifyDurable(p) }

// consumerConfig is partition p's consumer: the discharge and home-visit
// events of the partition.
func consumerConfig(p int) consumer.Config {
	return consumer.Config{Name: ConsumerName(p),
		FilterSubjects: []string{events.FilterServicePartition(dc.Service, p), events.FilterServicePartition("homevisits", p)}}
}

// Consumers are the durable consumers of every partition, as the feed
// wants them. Where notify's NATS user may not create them
// (service.Deps.ConsumersProvisioned), an administrator makes them from
// these.
func Consumers() []natskit.ConsumerSpec {
	out := make([]natskit.ConsumerSpec, 0, events.Partitions)
	for p := range events.Partitions {
		out = append(out, consumerConfig(p).Spec())
	}
	return out
}

// Actor is who a notice says sent it.
var Actor = events.Actor{ID: "careweave-notify", Role: "system", Org: "careweave"}

// Run consumes until ctx ends.
func Run(ctx context.Context, d service.Deps) error {
	ledger, err := consumer.NewLedger(d.Pool, d.Schema)
	if err != nil {
		return err
	}
	reg := events.NewRegistry()
	dc.Register(reg)
	hv.Register(reg)
	f := &feed{d: d, ledger: ledger, registry: reg,
		loadSQL: `SELECT holding FROM ` + d.Schema + `.holdings WHERE item = $1 FOR UPDATE`,
		saveSQL: `INSERT INTO ` + d.Schema + `.holdings (item, holding) VALUES ($1, $2)
			ON CONFLICT (item) DO UPDATE SET holding = excluded.holding, updated_at = now()`,
		dropSQL: `DELETE FROM ` + d.Schema + `.holdings WHERE item = $1`,
	}
	var procs []*consumer.Processor
	for p := range events.Partitions {
		cc := consumerConfig(p)
		cc.Existing = d.ConsumersProvisioned
		proc, err := consumer.New(ctx, d.JS, cc, f.handle, d.Logger)
		if err != nil {
			return err
		}
		procs = append(procs, proc)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(procs))
	for i, proc := range procs {
		wg.Go(func() { errs[i] = proc.Run(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

type feed struct {
	d                         service.Deps
	ledger                    *consumer.Ledger
	registry                  *events.Registry
	loadSQL, saveSQL, dropSQL string
}

func (f *feed) handle(ctx context.Context, env events.Envelope) error {
	item := domain.Item(env)
	if item == "" {
		return nil
	}
	data, err := f.registry.Decode(env)
	if err != nil {
		return consumer.Permanent(err)
	}
	return f.ledger.ApplyOnce(ctx, Ledger, env, func(ctx context.Context, tx pgx.Tx) error {
		held, err := f.load(ctx, tx, item)
		if err != nil {
			return err
		}
		out := domain.Route(env, data, held)
		for _, n := range out.Notices {
			en, err := events.New(n.Data, events.Metadata{ID: events.NewID(f.d.Now()), Time: env.Time, Subject: env.Subject, Area: n.Recipient,
				CorrelationID: env.CorrelationID, CausationID: env.ID.String(), Actor: Actor})
			if err != nil {
				return consumer.Permanent(err)
			}
			if _, err := f.d.Store.AppendAtEndTx(ctx, tx, notify.FeedStream(n.Recipient), []events.Envelope{en}); err != nil {
				return err
			}
		}
		return f.save(ctx, tx, item, out.Holding)
	}, nil)
}

func (f *feed) load(ctx context.Context, tx pgx.Tx, item string) (*domain.Holding, error) {
	var raw []byte
	err := tx.QueryRow(ctx, f.loadSQL, item).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load holding: %w", err)
	}
	var h domain.Holding
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("load holding: %w", err)
	}
	return &h, nil
}

func (f *feed) save(ctx context.Context, tx pgx.Tx, item string, h *domain.Holding) error {
	if h == nil {
		_, err := tx.Exec(ctx, f.dropSQL, item)
		return err
	}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, f.saveSQL, item, b)
	return err
}
