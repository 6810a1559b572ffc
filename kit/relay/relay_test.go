package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type noted struct {
	N int `json:"n"`
}

func (noted) EventType() string { return "careweave.test.noted.v1" }

func newStore(t *testing.T) *eventstore.Store {
	t.Helper()
	pool, schema := testkit.Postgres(t)
	s, err := eventstore.New(pool, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func connect(t *testing.T, ns *server.Server) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := natskit.Connect(t.Context(), natskit.ConnectConfig{URL: ns.ClientURL(), Name: t.Name()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := natskit.Provision(t.Context(), js, natskit.TopologyConfig{}); err != nil {
		t.Fatal(err)
	}
	return nc, js
}

func event(t testing.TB, patient string, n int) events.Envelope {
	t.Helper()
	now := time.Now()
	e, err := events.New(noted{N: n}, events.Metadata{
		ID: events.NewID(now), Time: now, Subject: patient, Area: "U12345",
		CorrelationID: "corr", Actor: events.Actor{ID: "tester", Role: "system"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// startRelay runs a relay until the test ends and returns it.
func startRelay(t *testing.T, s *eventstore.Store, nc *nats.Conn, tweak func(*Relay)) (*Relay, <-chan error) {
	t.Helper()
	r, err := New(s, nc, Config{Name: "relay"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(r)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		done <- r.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
	})
	return r, done
}

// received is what a JetStream reader saw: every message, in stream order.
type received struct {
	ids      map[events.ID]int
	versions map[string][]int64
	total    int
}

// readStream reads the whole CARE stream with an ordered consumer.
func readStream(t *testing.T, js jetstream.JetStream) received {
	t.Helper()
	ctx := t.Context()
	st, err := js.Stream(ctx, natskit.EventStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := received{ids: map[events.ID]int{}, versions: map[string][]int64{}}
	if info.State.Msgs == 0 {
		return got
	}
	c, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for got.total < int(info.State.Msgs) {
		batch, err := c.Fetch(min(int(info.State.Msgs)-got.total, 1000), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			env, err := events.Decode(m.Data())
			if err != nil {
				t.Fatalf("published message does not decode: %v", err)
			}
			if m.Headers().Get(jetstream.MsgIDHeader) != env.ID.String() {
				t.Fatalf("Nats-Msg-Id %q is not the event id %s", m.Headers().Get(jetstream.MsgIDHeader), env.ID)
			}
			if want, _ := events.SubjectOf(&env); m.Subject() != want {
				t.Fatalf("published on %q, want %q", m.Subject(), want)
			}
			got.ids[env.ID]++
			got.versions[env.StreamID] = append(got.versions[env.StreamID], env.StreamVersion)
			got.total++
		}
		if err := batch.Error(); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("stream says %d messages, read %d", info.State.Msgs, got.total)
		}
	}
	return got
}

func streamMsgs(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	st, err := js.Stream(t.Context(), natskit.EventStream)
	if err != nil {
		return 0
	}
	info, err := st.Info(t.Context())
	if err != nil {
		return 0
	}
	return info.State.Msgs
}

// checkExactlyOnceInOrder compares what was appended with what JetStream holds.
func checkExactlyOnceInOrder(t *testing.T, appended map[events.ID]bool, got received) {
	t.Helper()
	missing, dup := 0, 0
	for id := range appended {
		switch got.ids[id] {
		case 0:
			missing++
		case 1:
		default:
			dup++
		}
	}
	if missing > 0 || dup > 0 || got.total != len(appended) {
		t.Fatalf("appended %d events; JetStream holds %d messages: %d missing, %d duplicated", len(appended), got.total, missing, dup)
	}
	for stream, vs := range got.versions {
		for i, v := range vs {
			if v != int64(i+1) {
				t.Fatalf("stream %s published out of order: %v", stream, vs)
			}
		}
	}
}

func TestEveryEventPublishedExactlyOnceInOrderUnderConcurrentWriters(t *testing.T) {
	const writers, perWriter, streamsPerWriter = 16, 1000, 10
	s := newStore(t)
	ns := testkit.NATS(t)
	nc, js := connect(t, ns)
	startRelay(t, s, nc, nil)

	var mu sync.Mutex
	appended := map[events.ID]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			ctx := t.Context()
			versions := make([]int64, streamsPerWriter)
			for i := range perWriter {
				k := i % streamsPerWriter
				stream := fmt.Sprintf("w%02d-s%d", w, k)
				ev := event(t, fmt.Sprintf("pt-%02d-%d", w, k), i)
				tx, err := s.Pool().Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				if _, err := s.AppendTx(ctx, tx, stream, versions[k], []events.Envelope{ev}); err != nil {
					_ = tx.Rollback(ctx)
					errs <- err
					return
				}
				// A random pause before COMMIT makes transactions commit out
				// of insert order: the case that makes naive cursors skip.
				time.Sleep(time.Duration(rand.IntN(400)) * time.Microsecond)
				if err := tx.Commit(ctx); err != nil {
					errs <- err
					return
				}
				versions[k]++
				mu.Lock()
				appended[ev.ID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	testkit.Eventually(t, 60*time.Second, func() bool { return streamMsgs(t, js) >= writers*perWriter },
		"JetStream holds %d of %d events", streamMsgs(t, js), writers*perWriter)
	checkExactlyOnceInOrder(t, appended, readStream(t, js))
}

func appendN(t *testing.T, s *eventstore.Store, stream string, from, n int, appended map[events.ID]bool) {
	t.Helper()
	for i := range n {
		ev := event(t, "pt-"+stream, from+i)
		if _, err := s.Append(t.Context(), stream, int64(from+i), []events.Envelope{ev}); err != nil {
			t.Fatalf("append %d to %s: %v", from+i, stream, err)
		}
		appended[ev.ID] = true
	}
}

func TestAppendsContinueWhileNATSIsDownAndArePublishedWhenItReturns(t *testing.T) {
	s := newStore(t)
	opts := testkit.NATSOptions(t.TempDir())
	ns := testkit.StartNATS(t, opts)
	opts.Port = ns.Addr().(*net.TCPAddr).Port // come back on the same address
	nc, js := connect(t, ns)
	r, _ := startRelay(t, s, nc, nil)

	appended := map[events.ID]bool{}
	appendN(t, s, "a", 0, 50, appended)
	testkit.Eventually(t, 20*time.Second, func() bool { return r.Status().Published == 50 }, "relay published %d of 50", r.Status().Published)

	ns.Shutdown()
	ns.WaitForShutdown()
	appendN(t, s, "a", 50, 200, appended) // appends do not need NATS
	appendN(t, s, "b", 0, 100, appended)
	testkit.Eventually(t, 20*time.Second, func() bool { return r.Status().LastError != "" }, "relay never noticed NATS was down")

	testkit.StartNATS(t, opts) // same address and store: the relay reconnects
	testkit.Eventually(t, 60*time.Second, func() bool { return streamMsgs(t, js) >= 350 }, "JetStream holds %d of 350 events after NATS returned", streamMsgs(t, js))
	checkExactlyOnceInOrder(t, appended, readStream(t, js))
}

// A database restart ends the session that holds the leader lock. The
// relay must notice, wait to lead again and go on publishing: before it
// did, it went on checking its dead lock for ever, and nothing appended
// after the restart was published.
func TestARelayWhoseLockSessionDiesLeadsAgainAndGoesOn(t *testing.T) {
	s := newStore(t)
	ns := testkit.NATS(t)
	nc, js := connect(t, ns)
	r, _ := startRelay(t, s, nc, nil)
	appended := map[events.ID]bool{}
	appendN(t, s, "a", 0, 40, appended)
	testkit.Eventually(t, 20*time.Second, func() bool { return r.Status().Published == 40 }, "relay published %d of 40", r.Status().Published)

	// The lock holder's backend is terminated, as a restart would.
	key := pgkit.LockKey(s.Schema() + ":relay:relay")
	tag, err := s.Pool().Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1`, key)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("terminate the lock's session: %v (%d sessions)", err, tag.RowsAffected())
	}
	appendN(t, s, "a", 40, 60, appended)
	testkit.Eventually(t, 30*time.Second, func() bool { return strings.Contains(r.Status().LastError, "lost its leader lock") },
		"the relay never noticed its lock was lost: %+v", r.Status())
	// A round that began before the kill may have published the 60 already;
	// these are appended after the relay knew, so only a relay that leads
	// again publishes them.
	appendN(t, s, "a", 100, 10, appended)
	testkit.Eventually(t, 30*time.Second, func() bool { return streamMsgs(t, js) >= 110 }, "JetStream holds %d of 110 events after the lock's session died", streamMsgs(t, js))
	if st := r.Status(); !st.Leader {
		t.Errorf("relay status after leading again: %+v", st)
	}
	checkExactlyOnceInOrder(t, appended, readStream(t, js))
}

func TestRelayKilledBetweenPublishAndCheckpointLosesNothingAndRepeatsAreDropped(t *testing.T) {
	s := newStore(t)
	ns := testkit.NATS(t)
	nc, js := connect(t, ns)

	appended := map[events.ID]bool{}
	appendN(t, s, "a", 0, 120, appended)

	crash := errors.New("killed before checkpoint")
	_, done := startRelay(t, s, nc, func(r *Relay) {
		r.beforeCheckpoint = func(eventstore.Position) error { return crash }
	})
	select {
	case err := <-done:
		if !errors.Is(err, crash) {
			t.Fatalf("relay stopped with %v, want the simulated crash", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("relay never reached its checkpoint")
	}
	published := streamMsgs(t, js)
	if published == 0 {
		t.Fatal("the crashed relay published nothing; the test proves nothing")
	}
	if pos, _ := s.LoadCursor(t.Context(), "relay"); pos != (eventstore.Position{}) {
		t.Fatalf("cursor moved to %v although the relay died before saving it", pos)
	}

	appendN(t, s, "a", 120, 30, appended)
	r, _ := startRelay(t, s, nc, nil)
	testkit.Eventually(t, 30*time.Second, func() bool { st := r.Status(); return st.Published+st.Duplicates == 150 },
		"restarted relay handled %+v of 150", r.Status())
	if st := r.Status(); st.Duplicates != published {
		t.Errorf("JetStream dropped %d repeats, want the %d the crashed relay had published", st.Duplicates, published)
	}
	checkExactlyOnceInOrder(t, appended, readStream(t, js))
}

func TestOnlyOneRelayLeads(t *testing.T) {
	s := newStore(t)
	ns := testkit.NATS(t)
	nc, js := connect(t, ns)
	a, _ := startRelay(t, s, nc, nil)
	b, _ := startRelay(t, s, nc, nil)

	appended := map[events.ID]bool{}
	appendN(t, s, "a", 0, 100, appended)
	testkit.Eventually(t, 20*time.Second, func() bool { return a.Status().Published+b.Status().Published == 100 },
		"relays published %d+%d of 100", a.Status().Published, b.Status().Published)
	if a.Status().Leader == b.Status().Leader {
		t.Fatalf("leaders: a=%v b=%v; want exactly one", a.Status().Leader, b.Status().Leader)
	}
	checkExactlyOnceInOrder(t, appended, readStream(t, js))
}

// A busy relay saves its cursor at most once per CheckpointInterval, not
// every round (each save is a commit), and a graceful stop saves where
// publication got, so the next leader re-sends nothing.
func TestCheckpointsAreRateLimitedAndAGracefulStopSavesTheCursor(t *testing.T) {
	s := newStore(t)
	ns := testkit.NATS(t)
	nc, js := connect(t, ns)
	r, err := New(s, nc, Config{Name: "relay", CheckpointInterval: time.Minute}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var saves atomic.Int32
	r.beforeCheckpoint = func(eventstore.Position) error { saves.Add(1); return nil }
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	appended := map[events.ID]bool{}
	for round := range 10 {
		appendN(t, s, "a", round*10, 10, appended)
		testkit.Eventually(t, 20*time.Second, func() bool { return r.Status().Published == uint64(round+1)*10 }, "round %d not published: %+v", round, r.Status())
	}
	if n := saves.Load(); n != 0 {
		t.Fatalf("the cursor was saved %d times within the checkpoint interval", n)
	}
	published := r.Status().Position
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if pos, err := s.LoadCursor(t.Context(), "relay"); err != nil || pos != published || saves.Load() != 1 {
		t.Fatalf("cursor after a graceful stop %v (%v), want %v saved once (saved %d times)", pos, err, published, saves.Load())
	}

	appendN(t, s, "a", 100, 10, appended)
	next, _ := startRelay(t, s, nc, nil)
	testkit.Eventually(t, 20*time.Second, func() bool { return next.Status().Published+next.Status().Duplicates >= 10 }, "the next leader: %+v", next.Status())
	if st := next.Status(); st.Duplicates != 0 || st.Published != 10 {
		t.Fatalf("the next leader re-sent %d events and published %d, want 0 and 10", st.Duplicates, st.Published)
	}
	checkExactlyOnceInOrder(t, appended, readStream(t, js))
}
