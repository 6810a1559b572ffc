package natsauth_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/consumer"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/testkit"
)

type dischargeNoted struct {
	N int `json:"n"`
}

func (dischargeNoted) EventType() string { return "careweave.discharge.noted.v1" }

// TestConsumersWorkTheirPartitionsOnly runs the real consumer kit (the
// projector's and notify's code path: bind to the durable the
// administrator made, pull, ack after the handler, park poison) as the
// projector and as notify, and shows each is refused creating any consumer
// and the other's consumers.
func TestConsumersWorkTheirPartitionsOnly(t *testing.T) {
	for _, tc := range []struct {
		user      string
		durable   func(int) string
		forbidden func(int) string
	}{
		{natsauth.ProjectorName, natskit.ProjectorDurable, natskit.NotifyDurable},
		{natsauth.NotifyService, natskit.NotifyDurable, natskit.ProjectorDurable},
	} {
		t.Run(tc.user, func(t *testing.T) {
			d := newDeployment(t)
			ctx := t.Context()
			part := publishTwoEventsAndTwoBroken(t, d)
			durable, forbidden := tc.durable(part), tc.forbidden(part)
			filters := []string{events.FilterServicePartition("discharge", part), events.FilterServicePartition("homevisits", part)}
			admin := d.connect(t, natsauth.AdminName)
			poison, err := admin.js.Stream(ctx, natskit.PoisonStream)
			if err != nil {
				t.Fatal(err)
			}
			c := d.connect(t, tc.user)
			cfg := consumer.Config{Name: durable, FilterSubjects: filters, Existing: true}
			// The component may not make its consumer: the administrator does.
			short, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
			defer cancel()
			if _, err := natskit.EnsureConsumer(short, c.js, cfg.Spec()); err == nil {
				t.Fatalf("%s created %s", tc.user, durable)
			}
			c.refused(t, "Publish to", "$JS.API.CONSUMER.CREATE.CARE."+durable)
			if _, err := natskit.EnsureConsumer(ctx, admin.js, cfg.Spec()); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var handled []string
			proc, err := consumer.New(ctx, c.js, cfg, func(_ context.Context, env events.Envelope) error {
				mu.Lock()
				handled = append(handled, env.ID.String())
				mu.Unlock()
				return nil
			}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatalf("%s binds to %s: %v", tc.user, durable, err)
			}
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- proc.Run(runCtx) }()
			defer func() {
				stop()
				if err := <-done; err != nil {
					t.Errorf("processor: %v", err)
				}
			}()
			// The two broken bodies do not decode: they are parked with their
			// reason on poison.<durable>; the two events are handled.
			testkit.Eventually(t, 10*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(handled) == 2
			}, "%s handled %d events, want 2", tc.user, len(handled))
			testkit.Eventually(t, 10*time.Second, func() bool {
				info, err := poison.Info(ctx, jetstream.WithSubjectFilter(consumer.PoisonSubject(durable)))
				return err == nil && info.State.Subjects[consumer.PoisonSubject(durable)] == 2
			}, "%s parked nothing on %s", tc.user, consumer.PoisonSubject(durable))
			cons, err := admin.js.Consumer(ctx, natskit.EventStream, durable)
			if err != nil {
				t.Fatal(err)
			}
			testkit.Eventually(t, 10*time.Second, func() bool {
				info, err := cons.Info(ctx)
				return err == nil && info.AckFloor.Stream == 4 && info.NumAckPending == 0
			}, "%s did not ack everything", tc.user)
			c.noViolations(t)

			// Another component's consumer is not its to read or park for.
			if _, err := natskit.EnsureConsumer(ctx, admin.js, natskit.ConsumerSpec{Durable: forbidden, FilterSubjects: filters}); err != nil {
				t.Fatal(err)
			}
			short, cancel = context.WithTimeout(ctx, 1500*time.Millisecond)
			defer cancel()
			if _, err := consumer.New(short, c.js, consumer.Config{Name: forbidden, FilterSubjects: filters, Existing: true}, nil, slog.New(slog.DiscardHandler)); err == nil {
				t.Fatalf("%s bound to %s", tc.user, forbidden)
			}
			c.refused(t, "Publish to", "$JS.API.CONSUMER.INFO.CARE."+forbidden)
			c.publishRefused(t, "$JS.API.CONSUMER.CREATE.CARE."+forbidden)
			c.publishRefused(t, "$JS.API.CONSUMER.MSG.NEXT.CARE."+forbidden)
			c.publishRefused(t, consumer.PoisonSubject(forbidden))
			c.publishRefused(t, "care.discharge.U84001.p00.noted.v1")
			c.subscribeRefused(t, "care.>")
		})
	}
}

// publishTwoEventsAndTwoBroken publishes, as the discharge service, two
// events of one patient and two bodies that do not decode on the same
// subjects, and returns the patient's partition.
func publishTwoEventsAndTwoBroken(t *testing.T, d *deployment) int {
	t.Helper()
	ctx := t.Context()
	svc := d.connect(t, "discharge")
	var part int
	for n := range 2 {
		now := time.Now()
		env, err := events.New(dischargeNoted{N: n}, events.Metadata{ID: events.NewID(now), Time: now, Subject: "pt-1", Area: "U84001",
			CorrelationID: "c", Actor: events.Actor{ID: "tester", Role: "system"}})
		if err != nil {
			t.Fatal(err)
		}
		env.StreamID, env.StreamVersion = "stay-1", int64(n+1)
		b, err := env.Encode()
		if err != nil {
			t.Fatal(err)
		}
		subject, err := events.SubjectOf(&env)
		if err != nil {
			t.Fatal(err)
		}
		part = events.Partition(env.PartitionKey())
		if _, err := svc.publishEvent(ctx, subject, env.ID.String()+"-broken"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: b, Header: nats.Header{jetstream.MsgIDHeader: []string{env.ID.String()}}}); err != nil {
			t.Fatal(err)
		}
	}
	svc.noViolations(t)
	return part
}
