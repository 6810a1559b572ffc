package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/testkit"
)

// flakyJetStream stands in for a JetStream server that rejects some
// messages the first time they arrive while storing the ones after them, as a
// clustered stream can during a leader change. Acks arrive asynchronously in
// random order.
type flakyJetStream struct {
	jetstream.JetStream // only PublishMsgAsync is used

	mu       sync.Mutex
	rejectOn map[string]bool // msg ids to reject once
	ackDelay time.Duration   // fixed delay before each ack, as on a slow link
	stored   []events.Envelope
	seen     map[string]bool
	inFlight int // published, not yet acknowledged
	maxIn    int // the most ever in flight at once
}

type future struct {
	ok  chan *jetstream.PubAck
	err chan error
	msg *nats.Msg
}

func (f *future) Ok() <-chan *jetstream.PubAck { return f.ok }
func (f *future) Err() <-chan error            { return f.err }
func (f *future) Msg() *nats.Msg               { return f.msg }

func (j *flakyJetStream) PublishMsgAsync(msg *nats.Msg, _ ...jetstream.PublishOpt) (jetstream.PubAckFuture, error) {
	f := &future{ok: make(chan *jetstream.PubAck, 1), err: make(chan error, 1), msg: msg}
	id := msg.Header.Get(jetstream.MsgIDHeader)
	j.mu.Lock()
	defer j.mu.Unlock()
	reject := j.rejectOn[id]
	delete(j.rejectOn, id)
	dup := j.seen[id]
	j.inFlight++
	j.maxIn = max(j.maxIn, j.inFlight)
	if !reject && !dup {
		env, err := events.Decode(msg.Data)
		if err != nil {
			return nil, err
		}
		j.seen[id] = true
		j.stored = append(j.stored, env)
	}
	go func() {
		time.Sleep(j.ackDelay + time.Duration(rand.IntN(200))*time.Microsecond) // acks arrive in any order
		j.mu.Lock()
		j.inFlight--
		j.mu.Unlock()
		if reject {
			f.err <- fmt.Errorf("stream leader changed")
			return
		}
		f.ok <- &jetstream.PubAck{Stream: "CARE", Duplicate: dup}
	}()
	return f, nil
}

// startOnFake runs a relay over s that publishes to fake instead of a
// server, until the test ends.
func startOnFake(t *testing.T, s *eventstore.Store, fake *flakyJetStream, cfg Config) *Relay {
	t.Helper()
	r, err := New(s, testkit.Connect(t, testkit.NATS(t).ClientURL()), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r.js = fake
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func TestPatientOrderSurvivesRejectedMessagesWithinABatch(t *testing.T) {
	s := newStore(t)
	fake := &flakyJetStream{rejectOn: map[string]bool{}, seen: map[string]bool{}}
	var appended []events.Envelope
	// Ten patients, each with two streams, interleaved in one batch.
	versions := map[string]int64{}
	for i := range 300 {
		patient := fmt.Sprintf("pt-%d", i%10)
		stream := fmt.Sprintf("%s-s%d", patient, i%20/10)
		ev := event(t, patient, i)
		if _, err := s.Append(t.Context(), stream, versions[stream], []events.Envelope{ev}); err != nil {
			t.Fatal(err)
		}
		versions[stream]++
		appended = append(appended, ev)
		if i%17 == 3 {
			fake.rejectOn[ev.ID.String()] = true
		}
	}

	startOnFake(t, s, fake, Config{Name: "relay", MaxBackoff: 20 * time.Millisecond})
	testkit.Eventually(t, 30*time.Second, func() bool { fake.mu.Lock(); defer fake.mu.Unlock(); return len(fake.stored) == len(appended) },
		"fake stream did not receive every event")

	fake.mu.Lock()
	defer fake.mu.Unlock()
	lastOfPatient := map[string]int{}
	lastOfStream := map[string]int64{}
	for _, e := range fake.stored {
		var d noted
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		if prev, ok := lastOfPatient[e.Subject]; ok && d.N < prev {
			t.Fatalf("patient %s: event %d stored after event %d", e.Subject, d.N, prev)
		}
		lastOfPatient[e.Subject] = d.N
		if e.StreamVersion != lastOfStream[e.StreamID]+1 {
			t.Fatalf("stream %s: version %d stored after %d", e.StreamID, e.StreamVersion, lastOfStream[e.StreamID])
		}
		lastOfStream[e.StreamID] = e.StreamVersion
	}
}

// TestALongRunOfOnePatientOnASlowLinkStillPublishes: one patient's events
// go one round trip at a time, so a batch of them takes many round trips;
// a deadline for the whole batch would time it out on every retry.
func TestALongRunOfOnePatientOnASlowLinkStillPublishes(t *testing.T) {
	s := newStore(t)
	fake := &flakyJetStream{rejectOn: map[string]bool{}, seen: map[string]bool{}, ackDelay: 20 * time.Millisecond}
	for i := range 40 {
		if _, err := s.Append(t.Context(), "pt-1-visit", int64(i), []events.Envelope{event(t, "pt-1", i)}); err != nil {
			t.Fatal(err)
		}
	}
	r := startOnFake(t, s, fake, Config{Name: "relay", AckTimeout: 200 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	testkit.Eventually(t, 30*time.Second, func() bool { return r.Status().Published == 40 },
		"published %d of 40 (last error %q)", r.Status().Published, r.Status().LastError)
	if st := r.Status(); st.LastError != "" {
		t.Fatalf("the relay timed out on a slow link although every ack came within AckTimeout: %s", st.LastError)
	}
}

// Every command appends its event and, in the same transaction, an access
// record for the same patient on another stream: the record must wait for
// the event's ack, but the other patients' events must not wait with it.
// Before waves, the relay blocked its send loop on each record, so it had
// one message in flight and paid an ack round trip per command.
func TestOtherPatientsPipelineWhileOnePatientsRecordWaits(t *testing.T) {
	s := newStore(t)
	fake := &flakyJetStream{rejectOn: map[string]bool{}, seen: map[string]bool{}, ackDelay: 50 * time.Millisecond}
	const patients = 100
	for i := range patients {
		patient := fmt.Sprintf("pt-%d", i)
		tx, err := s.Pool().Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for k, stream := range []string{patient + "-visit", "access-" + patient} {
			if _, err := s.AppendTx(t.Context(), tx, stream, 0, []events.Envelope{event(t, patient, 2*i+k)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	r := startOnFake(t, s, fake, Config{Name: "relay"})
	testkit.Eventually(t, 30*time.Second, func() bool { return r.Status().Published == 2*patients }, "published %d of %d", r.Status().Published, 2*patients)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.maxIn < patients/2 {
		t.Fatalf("at most %d messages were in flight at once; the %d patients' events should have gone together", fake.maxIn, patients)
	}
}

func TestWavesKeepEachStreamAndPatientInOrderAndPipelineTheRest(t *testing.T) {
	rec := func(stream, patient string) eventstore.Record {
		return eventstore.Record{StreamID: stream, Subject: patient}
	}
	recs := []eventstore.Record{
		rec("visit-1", "p1"),   // 0
		rec("access-p1", "p1"), // 1: same patient as 0
		rec("visit-2", "p2"),   // 2
		rec("access-p2", "p2"), // 3
		rec("visit-1", "p1"),   // 4: after 1 (patient) and 0 (stream)
		rec("board", ""),       // 5: no patient
		rec("board", ""),       // 6: same stream as 5
		rec("visit-3", "p3"),   // 7
	}
	got := planWaves(recs)
	want := [][]int{{0, 2, 5, 7}, {1, 3, 6}, {4}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("waves %v, want %v", got, want)
	}
}
