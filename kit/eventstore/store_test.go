package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/jackc/pgx/v5"
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

func batch(t testing.TB, patient string, ns ...int) []events.Envelope {
	t.Helper()
	out := make([]events.Envelope, len(ns))
	for i, n := range ns {
		now := time.Now()
		e, err := events.New(noted{N: n}, events.Metadata{
			ID: events.NewID(now), Time: now, Subject: patient, Area: "U12345",
			CorrelationID: "corr", Actor: events.Actor{ID: "tester", Role: "system"},
		})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = e
	}
	return out
}

func TestAppendAndLoad(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	v, err := s.Append(ctx, "visit-1", 0, batch(t, "pt-1", 1, 2))
	if err != nil || v != 2 {
		t.Fatalf("Append = %d, %v; want 2", v, err)
	}
	if v, err = s.Append(ctx, "visit-1", 2, batch(t, "pt-1", 3)); err != nil || v != 3 {
		t.Fatalf("Append = %d, %v; want 3", v, err)
	}
	got, err := s.Load(ctx, "visit-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("Load returned %d events, want 3", len(got))
	}
	for i, e := range got {
		if e.StreamID != "visit-1" || e.StreamVersion != int64(i+1) {
			t.Errorf("event %d placed at %s@%d", i, e.StreamID, e.StreamVersion)
		}
	}
	if tail, _ := s.Load(ctx, "visit-1", 2); len(tail) != 1 || tail[0].StreamVersion != 3 {
		t.Errorf("Load from 2 = %+v, want only version 3", tail)
	}
	if none, err := s.Load(ctx, "visit-unknown", 0); err != nil || len(none) != 0 {
		t.Errorf("Load(unknown) = %v, %v; want nothing", none, err)
	}
}

func TestConcurrentAppendsAtSameVersionOneWins(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Append(ctx, "round-1", 0, batch(t, "pt-1", 0)); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	start := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			<-start
			// Each writer appends a three-event batch tagged with its number.
			_, errs[w] = s.Append(ctx, "round-1", 1, batch(t, "pt-1", w*10+1, w*10+2, w*10+3))
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for w, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("writers %d and %d both appended at version 1", winner, w)
			}
			winner = w
		case errors.Is(err, eventstore.ErrVersionConflict):
			var vc *eventstore.VersionConflictError
			if !errors.As(err, &vc) || vc.StreamID != "round-1" || vc.Expected != 1 {
				t.Errorf("writer %d: conflict error %#v lacks its details", w, err)
			}
		default:
			t.Errorf("writer %d: %v, want a version conflict", w, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	got, err := s.Load(ctx, "round-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("stream holds %d events after version 1, want exactly the winner's 3", len(got))
	}
	for i, e := range got {
		want := fmt.Sprintf(`{"n":%d}`, winner*10+i+1)
		if string(e.Data) != want {
			t.Errorf("event %d = %s, want %s (only the winner's batch)", i, e.Data, want)
		}
	}
}

func TestExpectedVersionAheadOfStreamIsConflict(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Append(ctx, "visit-2", 0, batch(t, "pt-1", 1, 2)); err != nil {
		t.Fatal(err)
	}
	for _, expected := range []int64{0, 1, 5} {
		for _, size := range []int{1, 3} {
			ns := make([]int, size)
			_, err := s.Append(ctx, "visit-2", expected, batch(t, "pt-1", ns...))
			var vc *eventstore.VersionConflictError
			if !errors.As(err, &vc) || vc.Actual != 2 || vc.Expected != expected {
				t.Errorf("Append(expected %d, %d events) = %v; want conflict reporting version 2", expected, size, err)
			}
		}
	}
	if got, _ := s.Load(ctx, "visit-2", 0); len(got) != 2 {
		t.Fatalf("refused appends stored something: %d events", len(got))
	}
}

func TestDuplicateEventIDIsRefused(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	evs := batch(t, "pt-1", 1)
	if _, err := s.Append(ctx, "visit-3", 0, evs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "visit-4", 0, evs); !errors.Is(err, eventstore.ErrDuplicateEvent) {
		t.Fatalf("re-appending an event id: %v, want ErrDuplicateEvent", err)
	}
}

func TestInvalidEnvelopeStoresNothing(t *testing.T) {
	s := newStore(t)
	evs := batch(t, "pt-1", 1, 2)
	evs[1].Area = "not a token"
	_, err := s.Append(t.Context(), "visit-5", 0, evs)
	var fe *events.FieldError
	if !errors.As(err, &fe) || fe.Field != "area" {
		t.Fatalf("Append with a bad area: %v", err)
	}
	if got, _ := s.Load(t.Context(), "visit-5", 0); len(got) != 0 {
		t.Fatalf("stored %d events of a refused batch", len(got))
	}
}

// TestReadAllNeverSkipsALateCommit is the bug every PostgreSQL event store
// had: an event inserted first but committed last gets a smaller position
// than one a reader has already passed. The cursor must hold back until the
// older transaction ends.
func TestReadAllNeverSkipsALateCommit(t *testing.T) {
	s := newStore(t)
	pool, ctx := s.Pool(), t.Context()

	slow, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback(context.WithoutCancel(ctx))
	if _, err := s.AppendTx(ctx, slow, "early", 0, batch(t, "pt-1", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "late", 0, batch(t, "pt-2", 2)); err != nil {
		t.Fatal(err)
	}

	var cursor eventstore.Position
	recs, err := s.ReadAll(ctx, cursor, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 0 {
		t.Fatalf("ReadAll returned %s while an older transaction was open: a reader would skip it", recs[0].StreamID)
	}

	if err := slow.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var seen []string
	testkit.Eventually(t, 10*time.Second, func() bool {
		recs, err := s.ReadAll(ctx, cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			seen = append(seen, r.StreamID)
			cursor = r.Position
		}
		return len(seen) >= 2
	}, "saw %v, want both events", seen)
	if len(seen) != 2 || seen[0] != "early" || seen[1] != "late" {
		t.Fatalf("commit order = %v, want [early late]", seen)
	}
}

func TestCursorIsDurable(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if p, err := s.LoadCursor(ctx, "relay"); err != nil || p != (eventstore.Position{}) {
		t.Fatalf("fresh cursor = %v, %v; want zero", p, err)
	}
	want := eventstore.Position{TxID: 1234, Sequence: 56}
	if err := s.SaveCursor(ctx, "relay", want); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCursor(ctx, "relay", want); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoadCursor(ctx, "relay"); err != nil || got != want {
		t.Fatalf("LoadCursor = %v, %v; want %v", got, err, want)
	}
}

func TestMigrateIsSafeToRace(t *testing.T) {
	pool, schema := testkit.Postgres(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = pgkit.Migrate(t.Context(), pool, schema, eventstore.Migrations()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("starter %d: %v", i, err)
		}
	}
	if n, err := pgkit.Pending(t.Context(), pool, schema, eventstore.Migrations()); err != nil || n != 0 {
		t.Fatalf("Pending = %d, %v; want 0", n, err)
	}
}

func TestLogIsAppendOnly(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Append(ctx, "visit-6", 0, batch(t, "pt-1", 1)); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"UPDATE " + s.Schema() + ".events SET area = 'X'",
		"DELETE FROM " + s.Schema() + ".events",
		"TRUNCATE " + s.Schema() + ".events",
	} {
		if _, err := s.Pool().Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want it refused", sql, err)
		}
	}
	if got, _ := s.Load(ctx, "visit-6", 0); len(got) != 1 {
		t.Fatalf("log changed: %d events", len(got))
	}
}

func TestAppendAtEndSerialisesConcurrentWritersWithoutConflicts(t *testing.T) {
	s := newStore(t)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				err := pgx.BeginFunc(t.Context(), s.Pool(), func(tx pgx.Tx) error {
					_, err := s.AppendAtEndTx(t.Context(), tx, "feed-team-a", batch(t, "pt-1", w*each+i))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := s.Load(t.Context(), "feed-team-a", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("feed holds %d events, want %d", len(got), writers*each)
	}
	for i, e := range got {
		if e.StreamVersion != int64(i+1) {
			t.Fatalf("event %d has version %d", i, e.StreamVersion)
		}
	}
}
