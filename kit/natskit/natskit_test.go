package natskit_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/testkit"
)

func TestProvisionIsIdempotentAndUpdates(t *testing.T) {
	nc := testkit.Connect(t, testkit.NATS(t).ClientURL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	// The server announces every stream update: a second start with the
	// same settings must not update (it races consumers being created).
	updates, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.STREAM.UPDATED.>")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := natskit.Provision(ctx, js, natskit.TopologyConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if m, err := updates.NextMsg(200 * time.Millisecond); err == nil {
		t.Fatalf("provisioning unchanged settings updated a stream: %s", m.Data)
	}
	if err := natskit.Provision(ctx, js, natskit.TopologyConfig{DuplicateWindow: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := updates.NextMsg(5 * time.Second); err != nil {
		t.Fatalf("a changed setting did not update the stream: %v", err)
	}
	st, err := js.Stream(ctx, natskit.EventStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := info.Config; c.Storage != jetstream.FileStorage || c.Duplicates != time.Hour || c.Subjects[0] != events.FilterAll || c.Replicas != 1 {
		t.Fatalf("stream config = %+v", c)
	}
	if _, err := js.Stream(ctx, natskit.PoisonStream); err != nil {
		t.Fatalf("poison stream: %v", err)
	}

	spec := natskit.ConsumerSpec{Durable: "timeline-p03", FilterSubjects: []string{events.FilterPartition(3)}}
	for range 2 {
		if _, err := natskit.EnsureConsumer(ctx, js, spec); err != nil {
			t.Fatal(err)
		}
	}
	spec.FilterSubjects = append(spec.FilterSubjects, events.FilterPartition(4))
	c, err := natskit.EnsureConsumer(ctx, js, spec)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ci.Config.Durable != "timeline-p03" || len(ci.Config.FilterSubjects) != 2 || ci.Config.AckPolicy != jetstream.AckExplicitPolicy || ci.Config.MaxAckPending != 1 {
		t.Fatalf("consumer config = %+v", ci.Config)
	}
}

func TestTopologyConfigIsValidated(t *testing.T) {
	for _, c := range []natskit.TopologyConfig{{Replicas: 2}, {Replicas: 1, DuplicateWindow: time.Millisecond}, {Replicas: 1, DuplicateWindow: 48 * time.Hour}} {
		if err := c.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted", c)
		}
	}
	var c natskit.TopologyConfig
	c.Defaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}
