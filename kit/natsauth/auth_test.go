package natsauth_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/testkit"
)

const (
	ourTeam   = "team-severn-ict"
	otherTeam = "team-forest-ict"
)

// deployment is an embedded server with every principal of the demo
// directory as a user, over TLS, provisioned by the administrator with a
// subscription for every team.
type deployment struct {
	url   string
	seeds string
	certs natsembed.DevCertificates
}

func newDeployment(t *testing.T) *deployment {
	t.Helper()
	principals := natsauth.Principals(directory.Demo())
	d := &deployment{seeds: t.TempDir()}
	keys, err := natsauth.EnsureSeeds(d.seeds, principals)
	if err != nil {
		t.Fatal(err)
	}
	users, err := natsauth.NewUsers(principals, keys)
	if err != nil {
		t.Fatal(err)
	}
	if d.certs, err = natsembed.EnsureDevCertificates(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	ns, err := natsembed.Start(natsembed.Config{StoreDir: t.TempDir(), Users: users, TLS: d.certs.ServerTLS(false),
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	d.url = ns.ClientURL()
	admin := d.connect(t, natsauth.AdminName)
	if err := natskit.Provision(t.Context(), admin.js, natskit.TopologyConfig{}); err != nil {
		t.Fatal(err)
	}
	for _, team := range directory.Demo().CommunityTeams {
		// What carectl subscriptions create does.
		if _, err := natskit.EnsureConsumer(t.Context(), admin.js, natskit.ConsumerSpec{
			Durable: natskit.RecipientDurable(team.ID), FilterSubjects: []string{notify.DischargeFilter(team.ID)}, AckWait: time.Minute,
		}); err != nil {
			t.Fatal(err)
		}
	}
	admin.noViolations(t)
	return d
}

// client is one user's connection, recording the permission violations the
// server reports.
type client struct {
	user string
	nc   *nats.Conn
	js   jetstream.JetStream

	mu         sync.Mutex
	violations []error
}

// connect signs in as user over TLS, trusting the development CA, with the
// user's seed and inbox prefix.
func (d *deployment) connect(t *testing.T, user string) *client {
	t.Helper()
	c := &client{user: user}
	record := nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrPermissionViolation) {
			c.mu.Lock()
			c.violations = append(c.violations, err)
			c.mu.Unlock()
		}
	})
	var err error
	c.nc, err = natskit.Connect(t.Context(), natskit.ConnectConfig{
		URL: d.url, Name: "test-" + user,
		NKeySeedFile: natsauth.SeedFile(d.seeds, user), CAFile: d.certs.CAFile, InboxPrefix: natsauth.InboxPrefix(user),
		Options: []nats.Option{record, nats.PermissionErrOnSubscribe(true)},
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(c.nc.Close)
	if !c.nc.TLSRequired() {
		t.Fatalf("%s connected without TLS", user)
	}
	if c.js, err = jetstream.New(c.nc, jetstream.WithDefaultTimeout(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

// refused waits for the server to report a permissions violation on
// subject ("Publish to" or "Subscription to"), and fails the test if none
// comes: the user did what it must not be able to do.
func (c *client) refused(t *testing.T, what, subject string) {
	t.Helper()
	want := fmt.Sprintf("%s %q", what, subject)
	testkit.Eventually(t, 3*time.Second, func() bool {
		// A PING round trip: the server's -ERR for anything sent before
		// it has arrived by the time the PONG does.
		_ = c.nc.FlushTimeout(time.Second)
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, err := range c.violations {
			if strings.Contains(err.Error(), want) {
				c.violations = append(c.violations[:i], c.violations[i+1:]...)
				return true
			}
		}
		return false
	}, "%s: the server did not refuse %s", c.user, want)
}

// noViolations fails if the server refused anything this client did.
func (c *client) noViolations(t *testing.T) {
	t.Helper()
	if err := c.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.violations) > 0 {
		t.Fatalf("%s was refused: %v", c.user, c.violations)
	}
}

// subscribeRefused subscribes to subject and expects the server to refuse.
func (c *client) subscribeRefused(t *testing.T, subject string) {
	t.Helper()
	sub, err := c.nc.SubscribeSync(subject)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	c.refused(t, "Subscription to", subject)
	if _, err := sub.NextMsg(time.Second); !errors.Is(err, nats.ErrPermissionViolation) {
		t.Fatalf("%s: next message on a refused subscription to %s: %v, want a permissions violation", c.user, subject, err)
	}
}

// publishRefused publishes on subject and expects the server to refuse.
func (c *client) publishRefused(t *testing.T, subject string) {
	t.Helper()
	if err := c.nc.Publish(subject, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	c.refused(t, "Publish to", subject)
}

// publishEvent publishes an event as a relay does: JetStream, with a
// message id and the stream expected, waiting for the ack.
func (c *client) publishEvent(ctx context.Context, subject, id string) (*jetstream.PubAck, error) {
	msg := nats.NewMsg(subject)
	msg.Data = []byte(`{"id":"` + id + `"}`)
	msg.Header.Set(jetstream.MsgIDHeader, id)
	f, err := c.js.PublishMsgAsync(msg, jetstream.WithExpectStream(natskit.EventStream))
	if err != nil {
		return nil, err
	}
	select {
	case ack := <-f.Ok():
		return ack, nil
	case err := <-f.Err():
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func noticeSubject(recipient string, p int) string {
	return fmt.Sprintf("care.notify.%s.p%02d.discharge_notice.v1", recipient, p)
}

func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

// TestTeamReadsItsOwnNoticesAndNothingElse is the proof: a NATS
// client with a team's credentials pulls and acks its own notices over TLS,
// and the server refuses it everything else.
func TestTeamReadsItsOwnNoticesAndNothingElse(t *testing.T) {
	d := newDeployment(t)
	ctx := t.Context()
	notifier := d.connect(t, notify.Service)
	for i, recipient := range []string{otherTeam, ourTeam} {
		if _, err := notifier.publishEvent(ctx, noticeSubject(recipient, 3), fmt.Sprintf("notice-%d", i)); err != nil {
			t.Fatalf("notify publishes a notice for %s: %v", recipient, err)
		}
	}
	team := d.connect(t, ourTeam)

	t.Run("pulls and acks its own notices", func(t *testing.T) {
		cons, err := team.js.Consumer(ctx, natskit.EventStream, natskit.RecipientDurable(ourTeam))
		if err != nil {
			t.Fatal(err)
		}
		m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject() != noticeSubject(ourTeam, 3) {
			t.Fatalf("pulled %s", m.Subject())
		}
		if err := m.DoubleAck(ctx); err != nil {
			t.Fatalf("ack: %v", err)
		}
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumAckPending != 0 || info.NumPending != 0 || info.AckFloor.Consumer != 1 {
			t.Fatalf("after the ack: %d unacked, %d waiting, ack floor %d", info.NumAckPending, info.NumPending, info.AckFloor.Consumer)
		}
		team.noViolations(t)
	})

	t.Run("cannot subscribe live, not even to its own subjects", func(t *testing.T) {
		team.subscribeRefused(t, notify.Filter(ourTeam))
		team.subscribeRefused(t, notify.DischargeFilter(ourTeam))
	})

	t.Run("a pull redirected onto event subjects reaches no one and is not stored", func(t *testing.T) {
		// The reply subject of a pull request is not held to permissions:
		// a team can have its notice delivered on any subject. No one but
		// the server may subscribe to event subjects, and the stream does
		// not take deliveries in.
		if _, err := notifier.publishEvent(ctx, noticeSubject(ourTeam, 6), "notice-redirected"); err != nil {
			t.Fatal(err)
		}
		admin := d.connect(t, natsauth.AdminName)
		st, err := admin.js.Stream(ctx, natskit.EventStream)
		if err != nil {
			t.Fatal(err)
		}
		before := st.CachedInfo().State.Msgs
		next := "$JS.API.CONSUMER.MSG.NEXT.CARE." + natskit.RecipientDurable(ourTeam)
		for _, onto := range []string{noticeSubject(otherTeam, 6), "care.homevisits.U84001.p06.visit_requested.v1"} {
			if err := team.nc.PublishRequest(next, onto, []byte(`{"batch":1,"expires":500000000}`)); err != nil {
				t.Fatal(err)
			}
		}
		team.noViolations(t)
		cons, err := admin.js.Consumer(ctx, natskit.EventStream, natskit.RecipientDurable(ourTeam))
		if err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 5*time.Second, func() bool {
			info, err := cons.Info(ctx)
			return err == nil && info.Delivered.Consumer >= 2
		}, "the redirected pull was not served")
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs != before {
			t.Fatalf("the stream took in a redirected delivery: %d messages, had %d", info.State.Msgs, before)
		}
	})

	t.Run("cannot subscribe to another team's subjects", func(t *testing.T) {
		team.subscribeRefused(t, notify.Filter(otherTeam))
		team.subscribeRefused(t, noticeSubject(otherTeam, 3))
		team.subscribeRefused(t, "care.notify.>")
	})
	t.Run("cannot subscribe to any service's events", func(t *testing.T) {
		team.subscribeRefused(t, "care.discharge.>")
		team.subscribeRefused(t, "care.homevisits.U84001.>")
		team.subscribeRefused(t, "care.>")
		team.subscribeRefused(t, ">")
	})
	t.Run("cannot read another user's replies", func(t *testing.T) {
		team.subscribeRefused(t, "_INBOX.>")
		team.subscribeRefused(t, natsauth.InboxPrefix(otherTeam)+".>")
		team.subscribeRefused(t, natsauth.InboxPrefix(notify.Service)+".>")
	})
	t.Run("cannot publish anything", func(t *testing.T) {
		for _, s := range []string{noticeSubject(ourTeam, 3), noticeSubject(otherTeam, 3), "care.discharge.U84001.p03.patient_discharged.v1", "poison.timeline-p03"} {
			team.publishRefused(t, s)
		}
		// Nor through JetStream: the publish is dropped, no ack comes.
		if _, err := team.publishEvent(shortCtx(t), noticeSubject(ourTeam, 4), "forged"); err == nil {
			t.Fatal("JetStream acked a team's publish")
		}
		team.refused(t, "Publish to", noticeSubject(ourTeam, 4))
	})
	t.Run("cannot create, change or delete streams", func(t *testing.T) {
		sc := natskit.EventStreamConfig(natskit.TopologyConfig{Replicas: 1, DuplicateWindow: time.Second})
		if _, err := team.js.UpdateStream(shortCtx(t), sc); err == nil {
			t.Fatal("a team updated the event stream")
		}
		team.refused(t, "Publish to", "$JS.API.STREAM.UPDATE.CARE")
		if _, err := team.js.CreateStream(shortCtx(t), jetstream.StreamConfig{Name: "TEAM", Subjects: []string{"care.notify.>"}}); err == nil {
			t.Fatal("a team created a stream")
		}
		team.refused(t, "Publish to", "$JS.API.STREAM.CREATE.TEAM")
		if err := team.js.DeleteStream(shortCtx(t), natskit.EventStream); err == nil {
			t.Fatal("a team deleted the event stream")
		}
		team.refused(t, "Publish to", "$JS.API.STREAM.DELETE.CARE")
		if _, err := team.js.Stream(shortCtx(t), natskit.EventStream); err == nil {
			t.Fatal("a team read the event stream's settings")
		}
		team.refused(t, "Publish to", "$JS.API.STREAM.INFO.CARE")
	})
	t.Run("cannot create or change consumers, not even its own", func(t *testing.T) {
		// Its own, widened to every notice ...
		if _, err := team.js.CreateOrUpdateConsumer(shortCtx(t), natskit.EventStream, jetstream.ConsumerConfig{
			Durable: natskit.RecipientDurable(ourTeam), FilterSubjects: []string{"care.notify.>"}, AckPolicy: jetstream.AckExplicitPolicy,
		}); err == nil {
			t.Fatal("a team changed its consumer")
		}
		team.refused(t, "Publish to", "$JS.API.CONSUMER.CREATE.CARE."+natskit.RecipientDurable(ourTeam))
		// ... or a new one on another team's notices, its filter in the subject.
		if _, err := team.js.CreateConsumer(shortCtx(t), natskit.EventStream, jetstream.ConsumerConfig{
			Name: "peek", FilterSubject: notify.Filter(otherTeam),
		}); err == nil {
			t.Fatal("a team created a consumer")
		}
		team.refused(t, "Publish to", "$JS.API.CONSUMER.CREATE.CARE.peek."+notify.Filter(otherTeam))
	})
	t.Run("cannot pull from or ack on another team's consumer", func(t *testing.T) {
		other := natskit.RecipientDurable(otherTeam)
		if _, err := team.js.Consumer(shortCtx(t), natskit.EventStream, other); err == nil {
			t.Fatal("a team opened another team's consumer")
		}
		team.refused(t, "Publish to", "$JS.API.CONSUMER.INFO.CARE."+other)
		// The pull request itself, as nats.go would send it.
		next := "$JS.API.CONSUMER.MSG.NEXT.CARE." + other
		inbox := team.nc.NewRespInbox()
		sub, err := team.nc.SubscribeSync(inbox)
		if err != nil {
			t.Fatal(err)
		}
		if err := team.nc.PublishRequest(next, inbox, []byte(`{"batch":1,"expires":1000000000}`)); err != nil {
			t.Fatal(err)
		}
		team.refused(t, "Publish to", next)
		if m, err := sub.NextMsg(1500 * time.Millisecond); err == nil {
			t.Fatalf("pulled %s from another team's consumer", m.Subject)
		}
		ack := "$JS.ACK.CARE." + other + ".1.1.1.1700000000000000000.0"
		team.publishRefused(t, ack)

		// The other team's notice is still there for it, unread.
		admin := d.connect(t, natsauth.AdminName)
		c, err := admin.js.Consumer(ctx, natskit.EventStream, other)
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumPending != 1 || info.Delivered.Consumer != 0 {
			t.Fatalf("another team's consumer: %d waiting, %d delivered", info.NumPending, info.Delivered.Consumer)
		}
	})
}

// TestServicePublishesOnlyItsOwnEvents: the discharge service's relay gets
// acks for its own events and is refused another service's subjects, and
// reads the streams' settings without being able to change them.
func TestServicePublishesOnlyItsOwnEvents(t *testing.T) {
	d := newDeployment(t)
	ctx := t.Context()
	svc := d.connect(t, "discharge")
	ack, err := svc.publishEvent(ctx, "care.discharge.U84001.p03.patient_discharged.v1", "evt-1")
	if err != nil {
		t.Fatalf("discharge publishes its event: %v", err)
	}
	if ack.Stream != natskit.EventStream || ack.Sequence != 1 {
		t.Fatalf("ack %+v", ack)
	}
	if ack, err := svc.publishEvent(ctx, "care.discharge.U84001.p03.patient_discharged.v1", "evt-1"); err != nil || !ack.Duplicate {
		t.Fatalf("republished event: %+v %v, want a duplicate ack", ack, err)
	}
	if err := natskit.Provision(ctx, svc.js, natskit.TopologyConfig{}); err != nil {
		t.Fatalf("provision over streams already as wanted: %v", err)
	}
	if err := natskit.Check(ctx, svc.js, natskit.TopologyConfig{}); err != nil {
		t.Fatalf("check: %v", err)
	}
	svc.noViolations(t)

	if _, err := svc.publishEvent(shortCtx(t), "care.homevisits.U84001.p03.visit_requested.v1", "evt-2"); err == nil {
		t.Fatal("discharge published a home-visits event")
	}
	svc.refused(t, "Publish to", "care.homevisits.U84001.p03.visit_requested.v1")
	svc.publishRefused(t, noticeSubject(ourTeam, 3))

	if err := natskit.Provision(shortCtx(t), svc.js, natskit.TopologyConfig{DuplicateWindow: time.Hour}); err == nil {
		t.Fatal("discharge changed the event stream")
	}
	svc.refused(t, "Publish to", "$JS.API.STREAM.UPDATE.CARE")
	if err := natskit.Check(ctx, svc.js, natskit.TopologyConfig{DuplicateWindow: time.Hour}); !errors.Is(err, natskit.ErrNotProvisioned) {
		t.Fatalf("check against other settings: %v, want ErrNotProvisioned", err)
	}
	svc.subscribeRefused(t, "care.>")
	svc.subscribeRefused(t, "care.discharge.>")
}

// TestInboxPrefixIsRequired: a user that does not use its own inbox prefix
// cannot receive its answers (so a shared _INBOX is no way around it).
func TestInboxPrefixIsRequired(t *testing.T) {
	d := newDeployment(t)
	var violations []error
	var mu sync.Mutex
	nc := testkit.Connect(t, d.url, nats.RootCAs(d.certs.CAFile), must(nats.NkeyOptionFromSeed(natsauth.SeedFile(d.seeds, "discharge"))),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			mu.Lock()
			violations = append(violations, err)
			mu.Unlock()
		}))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Stream(shortCtx(t), natskit.EventStream); err == nil {
		t.Fatal("answered on the shared _INBOX")
	}
	testkit.Eventually(t, 3*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, err := range violations {
			if strings.Contains(err.Error(), `Subscription to "_INBOX.`) {
				return true
			}
		}
		return false
	}, "no subscription refusal for the shared inbox")
}

func must(o nats.Option, err error) nats.Option {
	if err != nil {
		panic(err)
	}
	return o
}

// TestAdminProvisionsAndRebuildsButTakesNoNotices: the administrator reads
// the whole stream through an ordered consumer (carectl rebuild) and manages
// the teams' consumers, but publishes no event and cannot pull a team's
// notices away from it.
func TestAdminProvisionsAndRebuildsButTakesNoNotices(t *testing.T) {
	d := newDeployment(t)
	ctx := t.Context()
	notifier := d.connect(t, notify.Service)
	if _, err := notifier.publishEvent(ctx, noticeSubject(ourTeam, 2), "n1"); err != nil {
		t.Fatal(err)
	}
	admin := d.connect(t, natsauth.AdminName)
	oc, err := admin.js.OrderedConsumer(ctx, natskit.EventStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := oc.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for m := range batch.Messages() {
		got = append(got, m.Subject())
	}
	if batch.Error() != nil || len(got) != 1 || got[0] != noticeSubject(ourTeam, 2) {
		t.Fatalf("ordered read of the stream: %v %v", got, batch.Error())
	}
	if _, err := natskit.EnsureConsumer(ctx, admin.js, natskit.ConsumerSpec{Durable: natskit.RecipientDurable(ourTeam),
		FilterSubjects: []string{notify.Filter(ourTeam)}, AckWait: time.Minute}); err != nil {
		t.Fatalf("admin updates a team's consumer: %v", err)
	}
	admin.noViolations(t)

	cons, err := admin.js.Consumer(ctx, natskit.EventStream, natskit.RecipientDurable(ourTeam))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cons.Next(jetstream.FetchMaxWait(time.Second)); err == nil {
		t.Fatal("admin pulled a team's notice")
	}
	admin.refused(t, "Publish to", "$JS.API.CONSUMER.MSG.NEXT.CARE."+natskit.RecipientDurable(ourTeam))
	admin.publishRefused(t, "$JS.ACK.CARE."+natskit.RecipientDurable(ourTeam)+".1.1.1.1700000000000000000.0")
	admin.publishRefused(t, noticeSubject(ourTeam, 2))
	admin.publishRefused(t, "care.discharge.U84001.p02.patient_discharged.v1")
	admin.subscribeRefused(t, "care.>")
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.NumPending != 1 || info.Delivered.Consumer != 0 {
		t.Fatalf("the team's consumer after the admin's attempt: %d waiting, %d delivered", info.NumPending, info.Delivered.Consumer)
	}
}
