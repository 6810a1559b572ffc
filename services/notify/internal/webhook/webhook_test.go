package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const secret = "0123456789abcdef0123456789abcdef"

var actor = events.Actor{ID: "careweave-notify", Role: "system", Org: "careweave"}

// feeds is a notify event log with n notices on each team's feed.
func feeds(t *testing.T, n int, teams ...string) *eventstore.Store {
	t.Helper()
	pool, schema := testkit.Postgres(t)
	st, err := eventstore.New(pool, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := pgkit.Migrate(t.Context(), pool, schema, Migrations()); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, team := range teams {
		var evs []events.Envelope
		for i := range n {
			patient := fmt.Sprintf("01a20900-0000-7000-8000-%012d", i)
			en, err := events.New(notify.DischargeNotice{Team: team, Kind: notify.DischargeRouted, Stay: strconv.Itoa(i), Patient: patient, Pathway: "P1",
				DischargedAt: at, DueBy: at, SourceEvent: "e"}, events.Metadata{ID: events.NewID(at), Time: at, Subject: patient, Area: team,
				CorrelationID: "c", Actor: actor})
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, en)
		}
		if _, err := st.Append(t.Context(), notify.FeedStream(team), 0, evs); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// receiver is a team's endpoint: it answers as behave says for each
// request, verifies signatures, de-duplicates by CloudEvent id, and notes
// the order things arrive in.
type receiver struct {
	mu       sync.Mutex
	behave   func(n int) (status int, hang bool)
	requests int
	inFlight atomic.Int32
	overlap  bool     // two deliveries at once
	seqs     []int    // every request's sequence, in arrival order
	accepted []string // ids accepted, first time only
	seen     map[string]bool
	badSig   int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.inFlight.Add(1) > 1 {
		r.mu.Lock()
		r.overlap = true
		r.mu.Unlock()
	}
	defer r.inFlight.Add(-1)
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.requests++
	status, hang := r.behave(r.requests)
	seq, _ := strconv.Atoi(req.Header.Get(notify.SequenceHeader))
	r.seqs = append(r.seqs, seq)
	if notify.Verify([]byte(secret), req.Header.Get(notify.SignatureHeader), body, time.Now(), time.Minute) != nil {
		r.badSig++
	}
	r.mu.Unlock()
	if hang {
		<-req.Context().Done()
		return
	}
	if status == http.StatusOK {
		en, err := events.Decode(body)
		r.mu.Lock()
		if err == nil && !r.seen[en.ID.String()] {
			r.seen[en.ID.String()] = true
			r.accepted = append(r.accepted, en.ID.String())
		}
		r.mu.Unlock()
	}
	w.WriteHeader(status)
}

// start runs the deliverer. Its timeout is long enough that an answering
// receiver is never timed out on a busy CI machine; a hanging receiver
// waits for it, whatever it is.
func start(t *testing.T, st *eventstore.Store, client *http.Client, maxAttempts int) *Webhooks {
	w := New(st.Pool(), st, st.Schema(), Config{Timeout: 2 * time.Second, MaxAttempts: maxAttempts, InitialBackoff: 5 * time.Millisecond,
		MaxBackoff: 40 * time.Millisecond, Workers: 2, Poll: 5 * time.Millisecond, Client: client, AllowPrivateNetworks: true}, actor, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

func ids(t *testing.T, st *eventstore.Store, team string) []string {
	evs, err := st.Load(t.Context(), notify.FeedStream(team), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.ID.String())
	}
	return out
}

// records are the team's delivery records, as "<sequence> <state> <attempts>".
func records(t *testing.T, st *eventstore.Store, team string) []string {
	evs, err := st.Load(t.Context(), notify.WebhookStream(team), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		data, err := notify.Registry().Decode(e)
		if err != nil {
			t.Fatal(err)
		}
		r := data.(notify.WebhookDelivery)
		if r.Team != team || r.Stay != strconv.Itoa(int(r.Sequence-1)) || r.Kind != notify.DischargeRouted || e.Area != team || e.Subject != r.Patient ||
			(r.State == notify.Delivered) != (r.Error == "") || (r.State == notify.Failing) != !r.NextAttemptAt.IsZero() {
			t.Errorf("delivery record %+v in %s", r, e.Area)
		}
		out = append(out, fmt.Sprintf("%d %s %d", r.Sequence, r.State, r.Attempts))
	}
	return out
}

func TestFailuresThenATimeoutThenSuccessDeliverEverythingOnceInOrder(t *testing.T) {
	const n = 8
	st := feeds(t, n, "team-a")
	rcv := &receiver{seen: map[string]bool{}, behave: func(i int) (int, bool) {
		switch {
		case i <= 3:
			return http.StatusInternalServerError, false
		case i == 4:
			return 0, true // hangs past the timeout
		case i%3 == 0:
			return http.StatusServiceUnavailable, false // now and then, later too
		}
		return http.StatusOK, false
	}}
	srv := httptest.NewTLSServer(rcv)
	t.Cleanup(srv.Close)
	// Two replicas, two workers each: still one delivery at a time per team.
	w := start(t, st, srv.Client(), 20)
	start(t, st, srv.Client(), 20)
	if err := w.Register(t.Context(), "team-a", srv.URL+"/hooks/careweave", secret); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 30*time.Second, func() bool {
		s, err := w.Status(t.Context(), "team-a")
		return err == nil && s.DeliveredVersion == n
	}, "not everything was delivered")
	s, _ := w.Status(t.Context(), "team-a")
	if s.State != Delivering || s.FeedVersion != n || s.Attempts != 0 {
		t.Fatalf("status %+v", s)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if !slices.Equal(rcv.accepted, ids(t, st, "team-a")) {
		t.Fatalf("accepted %v, want the feed in order %v", rcv.accepted, ids(t, st, "team-a"))
	}
	if !slices.IsSorted(rcv.seqs) || rcv.overlap || rcv.badSig > 0 {
		t.Fatalf("sequences %v (must never go back), overlapping deliveries %v, %d bad signatures", rcv.seqs, rcv.overlap, rcv.badSig)
	}
	// Every attempt is on record: the first notice failed four times
	// (three errors, one timeout), then each notice was delivered once.
	var delivered []string
	got := records(t, st, "team-a")
	for _, r := range got {
		if strings.Contains(r, " delivered ") {
			delivered = append(delivered, r)
		}
	}
	if len(got) != rcv.requests || !slices.Equal(got[:5], []string{"1 failing 1", "1 failing 2", "1 failing 3", "1 failing 4", "1 delivered 0"}) || len(delivered) != n {
		t.Fatalf("%d requests, delivery records %v", rcv.requests, got)
	}
}

func TestAnEndpointThatNeverRecoversIsDeadUntilRedelivered(t *testing.T) {
	st := feeds(t, 3, "team-b")
	var healthy atomic.Bool
	rcv := &receiver{seen: map[string]bool{}, behave: func(int) (int, bool) {
		if healthy.Load() {
			return http.StatusOK, false
		}
		return http.StatusBadGateway, false
	}}
	srv := httptest.NewTLSServer(rcv)
	t.Cleanup(srv.Close)
	w := start(t, st, srv.Client(), 4)
	if err := w.Register(t.Context(), "team-b", srv.URL, secret); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 30*time.Second, func() bool {
		s, _ := w.Status(t.Context(), "team-b")
		return s.State == Dead
	}, "the webhook never died")
	s, _ := w.Status(t.Context(), "team-b")
	rcv.mu.Lock()
	requests := rcv.requests
	rcv.mu.Unlock()
	if s.Attempts != 4 || s.DeliveredVersion != 0 || s.LastError == "" || s.NextAttemptAt != nil || requests != 4 {
		t.Fatalf("dead status %+v after %d requests", s, requests)
	}
	time.Sleep(50 * time.Millisecond) // a dead webhook gets no more attempts
	rcv.mu.Lock()
	if rcv.requests != 4 {
		t.Fatalf("%d attempts after death", rcv.requests-4)
	}
	rcv.mu.Unlock()

	healthy.Store(true)
	if err := w.Redeliver(t.Context(), "team-b", -1); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 30*time.Second, func() bool {
		s, _ := w.Status(t.Context(), "team-b")
		return s.DeliveredVersion == 3 && s.State == Delivering
	}, "redelivery did not deliver")
	// A replay from the start sends everything again, in order.
	if err := w.Redeliver(t.Context(), "team-b", 0); err != nil {
		t.Fatal(err)
	}
	// The replay is over when its last attempt is on record (the record
	// commits just after the receiver answered). The receiver's lock is
	// only ever held for a moment: a handler waiting for it would be timed
	// out and its delivery recorded as failed.
	want := []string{"1 failing 1", "1 failing 2", "1 failing 3", "1 dead 4", "1 delivered 0", "2 delivered 0", "3 delivered 0", "1 delivered 0", "2 delivered 0", "3 delivered 0"}
	testkit.Eventually(t, 30*time.Second, func() bool { return len(records(t, st, "team-b")) >= len(want) }, "the replay did not send the feed again")
	if got := records(t, st, "team-b"); !slices.Equal(got, want) {
		s, _ := w.Status(t.Context(), "team-b")
		t.Fatalf("delivery records %v, want %v (last error %q)", got, want, s.LastError)
	}
	rcv.mu.Lock()
	accepted, seqs := slices.Clone(rcv.accepted), slices.Clone(rcv.seqs)
	rcv.mu.Unlock()
	if !slices.Equal(accepted, ids(t, st, "team-b")) || !slices.Equal(seqs[4:], []int{1, 2, 3, 1, 2, 3}) {
		t.Fatalf("accepted %v, sequences %v", accepted, seqs)
	}
}

func TestRegistrationIsValidated(t *testing.T) {
	st := feeds(t, 0)
	w := New(st.Pool(), st, st.Schema(), Config{}, actor, slog.New(slog.DiscardHandler))
	for _, c := range []struct{ url, secret string }{
		{"http://team.example.org/hook", secret},      // not https
		{"https://user:pw@team.example.org/", secret}, // credentials in the URL
		{"/relative", secret},
		{"https://team.example.org/hook", "short"},
		{"https://169.254.169.254/latest/meta-data", secret}, // a cloud metadata service
		{"https://10.1.2.3/hook", secret},
		{"https://[::1]:8443/hook", secret},
		{"https://[::ffff:127.0.0.1]/hook", secret},
	} {
		if err := w.Register(t.Context(), "team-c", c.url, c.secret); !errors.Is(err, ErrInvalid) {
			t.Errorf("Register(%q, %q) = %v, want ErrInvalid", c.url, c.secret, err)
		}
	}
	if _, err := w.Status(t.Context(), "team-c"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("status of an unregistered team: %v", err)
	}
	if err := w.Register(t.Context(), "team-c", "https://team.example.org/hook", secret); err != nil {
		t.Fatal(err)
	}
}

func TestAHostNameThatResolvesToAnInternalAddressIsNeverCalled(t *testing.T) {
	st := feeds(t, 1, "team-d")
	rcv := &receiver{seen: map[string]bool{}, behave: func(int) (int, bool) { return http.StatusOK, false }}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	// The default client: the guard applies after name resolution.
	w := New(st.Pool(), st, st.Schema(), Config{AllowHTTP: true, MaxAttempts: 2, InitialBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		Poll: 5 * time.Millisecond}, actor, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	_, port, _ := strings.Cut(srv.URL, "127.0.0.1:")
	if err := w.Register(t.Context(), "team-d", "http://localhost:"+port+"/hook", secret); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 30*time.Second, func() bool {
		s, _ := w.Status(t.Context(), "team-d")
		return s.State == Dead
	}, "the webhook never died")
	s, _ := w.Status(t.Context(), "team-d")
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.requests != 0 || !strings.Contains(s.LastError, ErrForbiddenAddress.Error()) {
		t.Fatalf("%d requests reached the internal endpoint; status %+v", rcv.requests, s)
	}
}
