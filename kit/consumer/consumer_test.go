package consumer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/consumer"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type noted struct {
	N int `json:"n"`
}

func (noted) EventType() string { return "careweave.test.noted.v1" }

func jetStream(t *testing.T) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	ns := testkit.NATS(t)
	nc := testkit.Connect(t, ns.ClientURL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := natskit.Provision(t.Context(), js, natskit.TopologyConfig{}); err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// publish puts an event on JetStream the way the relay does.
func publish(t *testing.T, js jetstream.JetStream, stream string, version int64, n int) events.Envelope {
	t.Helper()
	now := time.Now()
	env, err := events.New(noted{N: n}, events.Metadata{
		ID: events.NewID(now), Time: now, Subject: "pt-" + stream, Area: "U12345",
		CorrelationID: fmt.Sprintf("corr-%d", n), Actor: events.Actor{ID: "tester", Role: "system"},
	})
	if err != nil {
		t.Fatal(err)
	}
	env.StreamID, env.StreamVersion = stream, version
	publishEnvelope(t, js, env, env.ID.String())
	return env
}

func publishEnvelope(t *testing.T, js jetstream.JetStream, env events.Envelope, msgID string) {
	t.Helper()
	b, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := events.SubjectOf(&env)
	if _, err := js.PublishMsg(t.Context(), &nats.Msg{Subject: subject, Data: b, Header: nats.Header{jetstream.MsgIDHeader: []string{msgID}}}); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, js jetstream.JetStream, cfg consumer.Config, h consumer.Handler) {
	t.Helper()
	if cfg.FilterSubjects == nil {
		cfg.FilterSubjects = []string{events.FilterService("test")}
	}
	p, err := consumer.New(t.Context(), js, cfg, h, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("processor: %v", err)
		}
	})
	select {
	case <-p.Running():
	case <-time.After(10 * time.Second):
		t.Fatal("processor did not start")
	}
}

func TestMalformedMessageIsPoisonedWithItsReasonAndConsumingGoesOn(t *testing.T) {
	nc, js := jetStream(t)
	var mu sync.Mutex
	var handled []int
	run(t, js, consumer.Config{Name: "worker"}, func(ctx context.Context, env events.Envelope) error {
		var d noted
		if err := json.Unmarshal(env.Data, &d); err != nil {
			return consumer.Permanent(err)
		}
		mu.Lock()
		handled = append(handled, d.N)
		mu.Unlock()
		return nil
	})

	publish(t, js, "s1", 1, 1)
	if _, err := js.Publish(t.Context(), "care.test.U12345.p03.noted.v1", []byte(`{"specversion":"1.0","id":"not-a-uuid"`)); err != nil {
		t.Fatal(err)
	}
	publish(t, js, "s1", 2, 2)

	testkit.Eventually(t, 20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(handled) == 2 }, "did not handle both valid events")
	if handled[0] != 1 || handled[1] != 2 {
		t.Fatalf("handled %v, want [1 2]", handled)
	}

	poison, err := js.Stream(t.Context(), natskit.PoisonStream)
	if err != nil {
		t.Fatal(err)
	}
	var parked *jetstream.RawStreamMsg
	testkit.Eventually(t, 10*time.Second, func() bool {
		parked, err = poison.GetLastMsgForSubject(t.Context(), consumer.PoisonSubject("worker"))
		return err == nil
	}, "nothing parked on %s", consumer.PoisonSubject("worker"))
	if reason := parked.Header.Get("reason_poisoned"); !strings.Contains(reason, "malformed event") {
		t.Fatalf("parked message's reason = %q, want it to say the event is malformed", reason)
	}
	if string(parked.Data) != `{"specversion":"1.0","id":"not-a-uuid"` {
		t.Fatalf("parked payload = %q, want the original bytes", parked.Data)
	}
	_ = nc
}

// counter is a consumer's effect: a table row per applied event.
type counter struct {
	ledger *consumer.Ledger
	pool   interface {
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
	table string
}

func newCounter(t *testing.T) counter {
	t.Helper()
	pool, schema := testkit.Postgres(t)
	if err := pgkit.Migrate(t.Context(), pool, schema, consumer.Migrations()); err != nil {
		t.Fatal(err)
	}
	table := schema + ".applied"
	if _, err := pool.Exec(t.Context(), "CREATE TABLE "+table+" (seq bigserial, stream text, version bigint, event_id uuid)"); err != nil {
		t.Fatal(err)
	}
	l, err := consumer.NewLedger(pool, schema)
	if err != nil {
		t.Fatal(err)
	}
	return counter{ledger: l, pool: pool, table: table}
}

func (c counter) apply(ctx context.Context, tx pgx.Tx, env events.Envelope) error {
	_, err := tx.Exec(ctx, "INSERT INTO "+c.table+" (stream, version, event_id) VALUES ($1, $2, $3)", env.StreamID, env.StreamVersion, env.ID.String())
	return err
}

// rows returns how many rows the effect holds and whether each stream's
// versions were applied in order, each once.
func (c counter) check(t *testing.T) (n int, inOrder bool) {
	t.Helper()
	var bad int
	err := c.pool.QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE version <> rn) FROM (
		SELECT version, row_number() OVER (PARTITION BY stream ORDER BY seq) AS rn FROM `+c.table+`) x`).Scan(&n, &bad)
	if err != nil {
		t.Fatal(err)
	}
	return n, bad == 0
}

// TestAckOnlyAfterCommit: every event's first attempt fails inside its
// transaction, and some events fail until their in-process retries run out
// and are nacked. A kit that acked on receipt would lose them.
func TestAckOnlyAfterCommitKeepsOrderAndLosesNothing(t *testing.T) {
	_, js := jetStream(t)
	c := newCounter(t)
	var mu sync.Mutex
	attempts := map[events.ID]int{}
	run(t, js, consumer.Config{Name: "projector", MaxRetries: 1, RetryInitial: time.Millisecond, RetryMax: time.Millisecond, NakDelay: 50 * time.Millisecond},
		func(ctx context.Context, env events.Envelope) error {
			mu.Lock()
			attempts[env.ID]++
			a := attempts[env.ID]
			mu.Unlock()
			return c.ledger.ApplyOnce(ctx, "projector", env, func(ctx context.Context, tx pgx.Tx) error {
				if err := c.apply(ctx, tx, env); err != nil {
					return err
				}
				// Every 7th event fails three times: past its one retry, so
				// it is nacked and must come back before anything behind it.
				if a == 1 || env.StreamVersion%7 == 0 && a <= 3 {
					return errors.New("database went away before commit")
				}
				return nil
			}, nil)
		})

	const streams, perStream = 4, 30
	for v := 1; v <= perStream; v++ {
		for s := range streams {
			publish(t, js, fmt.Sprintf("s%d", s), int64(v), v)
		}
	}
	testkit.Eventually(t, 60*time.Second, func() bool { n, _ := c.check(t); return n == streams*perStream },
		"effect holds %d of %d events", func() int { n, _ := c.check(t); return n }(), streams*perStream)
	if _, inOrder := c.check(t); !inOrder {
		t.Fatal("events were applied out of order or twice")
	}
}

// TestRedeliveryChangesNothing: the same event delivered twice (a crash
// after commit and before ack looks exactly like this) is applied once.
func TestRedeliveryChangesNothing(t *testing.T) {
	_, js := jetStream(t)
	c := newCounter(t)
	var mu sync.Mutex
	calls := 0
	run(t, js, consumer.Config{Name: "projector"}, func(ctx context.Context, env events.Envelope) error {
		mu.Lock()
		calls++
		mu.Unlock()
		return c.ledger.ApplyOnce(ctx, "projector", env, func(ctx context.Context, tx pgx.Tx) error { return c.apply(ctx, tx, env) }, nil)
	})
	env := publish(t, js, "s1", 1, 1)
	publishEnvelope(t, js, env, "redelivery-of-"+env.ID.String())
	publish(t, js, "s1", 2, 2)
	testkit.Eventually(t, 20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return calls == 3 }, "handler not called 3 times")
	if n, inOrder := c.check(t); n != 2 || !inOrder {
		t.Fatalf("effect holds %d rows (in order: %v), want 2: the repeat must change nothing", n, inOrder)
	}
}

// TestTwoConsumersParkingOneEventEachKeepTheirRecord: the projector's and
// notify's consumers both take a discharge event; when neither can handle
// it, each parks it on its own poison subject within the poison stream's
// duplicate window. Both records must stay: the message is acked on the
// strength of it.
func TestTwoConsumersParkingOneEventEachKeepTheirRecord(t *testing.T) {
	_, js := jetStream(t)
	refuse := func(context.Context, events.Envelope) error { return consumer.Permanent(errors.New("cannot apply")) }
	run(t, js, consumer.Config{Name: "timeline-p00"}, refuse)
	run(t, js, consumer.Config{Name: "notify-p00"}, refuse)
	env := publish(t, js, "s1", 1, 1)

	poison, err := js.Stream(t.Context(), natskit.PoisonStream)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"timeline-p00", "notify-p00"} {
		cons, err := js.Consumer(t.Context(), natskit.EventStream, name)
		if err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 10*time.Second, func() bool {
			info, err := cons.Info(t.Context())
			return err == nil && info.AckFloor.Stream == 1
		}, "%s did not ack the event it parked", name)
	}
	for _, name := range []string{"timeline-p00", "notify-p00"} {
		parked, err := poison.GetLastMsgForSubject(t.Context(), consumer.PoisonSubject(name))
		if err != nil {
			t.Fatalf("%s acked the event but its poison record is missing: %v", name, err)
		}
		if got, want := parked.Header.Get(jetstream.MsgIDHeader), consumer.MessageID(consumer.PoisonSubject(name), env.ID.String()); got != want {
			t.Errorf("%s's record has message id %q, want %q", name, got, want)
		}
	}
}

// TestAnExistingConsumerIsOnlyBoundTo: with Existing, New neither creates a
// missing consumer nor changes one whose filter is not its own, and
// consumes from the one made with its Spec.
func TestAnExistingConsumerIsOnlyBoundTo(t *testing.T) {
	_, js := jetStream(t)
	cfg := consumer.Config{Name: "timeline-p00", FilterSubjects: []string{events.FilterService("test")}, Existing: true}
	noop := func(context.Context, events.Envelope) error { return nil }
	if _, err := consumer.New(t.Context(), js, cfg, noop, slog.New(slog.DiscardHandler)); !errors.Is(err, natskit.ErrNotProvisioned) {
		t.Fatalf("New with a missing consumer = %v, want %v", err, natskit.ErrNotProvisioned)
	}
	if _, err := js.Consumer(t.Context(), natskit.EventStream, cfg.Name); !errors.Is(err, jetstream.ErrConsumerNotFound) {
		t.Fatalf("New created the consumer: %v", err)
	}
	other := cfg.Spec()
	other.FilterSubjects = []string{"care.>"}
	if _, err := natskit.EnsureConsumer(t.Context(), js, other); err != nil {
		t.Fatal(err)
	}
	if _, err := consumer.New(t.Context(), js, cfg, noop, slog.New(slog.DiscardHandler)); !errors.Is(err, natskit.ErrNotProvisioned) {
		t.Fatalf("New with a consumer on another filter = %v, want %v", err, natskit.ErrNotProvisioned)
	}
	if c, err := js.Consumer(t.Context(), natskit.EventStream, cfg.Name); err != nil ||
		fmt.Sprint(c.CachedInfo().Config.FilterSubject, c.CachedInfo().Config.FilterSubjects) != fmt.Sprint("", []string{"care.>"}) {
		t.Fatalf("New changed the consumer: %v", err)
	}

	if _, err := natskit.EnsureConsumer(t.Context(), js, cfg.Spec()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := 0
	run(t, js, cfg, func(context.Context, events.Envelope) error { mu.Lock(); got++; mu.Unlock(); return nil })
	publish(t, js, "s1", 1, 1)
	testkit.Eventually(t, 10*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return got == 1 }, "nothing consumed")
}
