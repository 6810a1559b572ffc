package audit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const (
	patient = "01a20900-0000-7000-8000-000000000001"
	other   = "01a20900-0000-7000-8000-000000000002"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// clock ticks a millisecond on every reading.
func clock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return t0.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

func newRecorder(t *testing.T, service string) (*audit.Recorder, *eventstore.Store) {
	t.Helper()
	pool, schema := testkit.Postgres(t)
	store, err := eventstore.New(pool, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec, err := audit.New(store, service, clock())
	if err != nil {
		t.Fatal(err)
	}
	return rec, store
}

var nia = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001", TokenID: "jti-1"}

func read(p string, action access.Action, n int) access.AccessRecorded {
	return audit.For(nia, fmt.Sprintf("req-%d", n), audit.Access{Patient: p, Action: action, Resource: "/v1/patients/" + p + "/timeline",
		Basis: access.Relationship(access.RegisteredInPCN), Outcome: access.Allowed, Status: 200})
}

// stored returns the patient's audit stream, decoded.
func stored(t *testing.T, store *eventstore.Store, p string) ([]events.Envelope, []events.Data) {
	t.Helper()
	envs, err := store.Load(t.Context(), access.Stream(p), 0)
	if err != nil {
		t.Fatal(err)
	}
	var data []events.Data
	for _, en := range envs {
		d, err := access.Registry().Decode(en)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, d)
	}
	return envs, data
}

func TestRecordsLandInThePatientsStreamInOrder(t *testing.T) {
	rec, store := newRecorder(t, "query")
	ctx := t.Context()
	var want []events.Data
	for i := range 4 {
		r := read(patient, access.ReadTimeline, i)
		if err := rec.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	grant := audit.BreakGlassFor(nia, patient, "Called to a fall out of hours", t0.Add(4*time.Hour))
	if err := rec.RecordBreakGlass(ctx, grant); err != nil {
		t.Fatal(err)
	}
	want = append(want, grant)
	if err := rec.Record(ctx, read(other, access.ReadSummary, 9)); err != nil {
		t.Fatal(err)
	}

	envs, got := stored(t, store, patient)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stream holds\n %#v\nwant\n %#v", got, want)
	}
	for i, en := range envs {
		subject, err := events.SubjectOf(&en)
		if err != nil {
			t.Fatal(err)
		}
		if en.StreamVersion != int64(i+1) || en.Subject != patient || en.Area != "query" || en.ActorID != nia.Subject ||
			en.ActorRole != nia.Role || en.ActorOrg != nia.Org || !strings.HasPrefix(subject, "care.access.query.") ||
			(i > 0 && !en.Time.After(envs[i-1].Time)) {
			t.Errorf("record %d: %+v on %s", i, en, subject)
		}
	}
	if envs[0].CorrelationID != "req-0" || envs[0].CausationID != "request:req-0" {
		t.Errorf("record 0 correlation %q causation %q, want the request's", envs[0].CorrelationID, envs[0].CausationID)
	}
	if _, o := stored(t, store, other); len(o) != 1 {
		t.Errorf("the other patient's stream holds %d records, want 1", len(o))
	}
}

func TestConcurrentRecordsOfOnePatientAllLandWithoutGaps(t *testing.T) {
	rec, store := newRecorder(t, "homevisits")
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				errs <- rec.Record(t.Context(), read(patient, access.ReadRecord, w*each+i))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	envs, _ := stored(t, store, patient)
	if len(envs) != writers*each {
		t.Fatalf("%d records, want %d", len(envs), writers*each)
	}
	for i, en := range envs {
		if en.StreamVersion != int64(i+1) {
			t.Fatalf("record %d at version %d", i, en.StreamVersion)
		}
	}
}

func TestTheStoreRefusesToChangeOrRemoveARecord(t *testing.T) {
	rec, store := newRecorder(t, "query")
	if err := rec.Record(t.Context(), read(patient, access.ReadTimeline, 1)); err != nil {
		t.Fatal(err)
	}
	table := store.Schema() + ".events"
	for _, sql := range []string{
		"UPDATE " + table + " SET envelope = '{}'::json WHERE stream_id = 'access-" + patient + "'",
		"UPDATE " + table + " SET subject = 'someone-else'",
		"DELETE FROM " + table + " WHERE stream_id = 'access-" + patient + "'",
		"TRUNCATE " + table,
	} {
		if _, err := store.Pool().Exec(t.Context(), sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want it refused", sql, err)
		}
	}
	if envs, _ := stored(t, store, patient); len(envs) != 1 || envs[0].Subject != patient {
		t.Fatalf("the record changed: %+v", envs)
	}
}

type triaged struct {
	Urgency string `json:"urgency"`
}

func (triaged) EventType() string { return "careweave.test.triaged.v1" }

func TestARecordInARolledBackTransactionLeavesNothing(t *testing.T) {
	rec, store := newRecorder(t, "homevisits")
	change := func(commit bool) error {
		return pgx.BeginFunc(t.Context(), store.Pool(), func(tx pgx.Tx) error {
			en, err := events.New(triaged{Urgency: "urgent"}, events.Metadata{ID: events.NewID(t0), Time: t0, Subject: patient, Area: "U84001",
				CorrelationID: "req-1", Actor: nia.Actor()})
			if err != nil {
				return err
			}
			if _, err := store.AppendTx(t.Context(), tx, "visit-1", 0, []events.Envelope{en}); err != nil {
				return err
			}
			r := read(patient, access.Change(triaged{}.EventType()), 1)
			r.Resource = "/v1/visits/1/triage"
			if err := rec.RecordTx(t.Context(), tx, r); err != nil {
				return err
			}
			if !commit {
				return errors.New("the decision failed after all")
			}
			return nil
		})
	}
	if err := change(false); err == nil {
		t.Fatal("the rolled-back change reported success")
	}
	if envs, _ := stored(t, store, patient); len(envs) != 0 {
		t.Fatalf("a rolled-back change left %d audit records", len(envs))
	}
	if err := change(true); err != nil {
		t.Fatal(err)
	}
	envs, data := stored(t, store, patient)
	visit, _ := store.Load(t.Context(), "visit-1", 0)
	if len(envs) != 1 || len(visit) != 1 || data[0].(access.AccessRecorded).Action != "change:careweave.test.triaged.v1" {
		t.Fatalf("after the commit: %d audit records, %d changes", len(envs), len(visit))
	}
}

func TestAnInvalidRecordIsRefusedAndAStoreFailureIsUnavailable(t *testing.T) {
	rec, store := newRecorder(t, "query")
	bad := read(patient, access.ReadTimeline, 1)
	bad.Resource = "/v1/patients/9990000018/timeline"
	var fe *events.FieldError
	if err := rec.Record(t.Context(), bad); !errors.As(err, &fe) || fe.Field != "resource" || httpkit.KindOf(err) == httpkit.KindUnavailable {
		t.Errorf("an NHS number in the resource: %v", err)
	}
	if err := rec.RecordBreakGlass(t.Context(), audit.BreakGlassFor(nia, patient, "", t0)); !errors.As(err, &fe) || fe.Field != "reason" {
		t.Errorf("a grant without a reason: %v", err)
	}
	if envs, _ := stored(t, store, patient); len(envs) != 0 {
		t.Fatalf("invalid records stored: %d", len(envs))
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := rec.Record(ctx, read(patient, access.ReadTimeline, 2))
	if !errors.Is(err, audit.ErrNotRecorded) || httpkit.KindOf(err) != httpkit.KindUnavailable {
		t.Fatalf("a store that cannot be reached: %v (kind %v), want unavailable", err, httpkit.KindOf(err))
	}
	// The handler's answer: 503, and the data not served.
	w := httptest.NewRecorder()
	httpkit.WriteError(w, httptest.NewRequest("GET", "/v1/patients/"+patient+"/timeline", nil), slog.New(slog.DiscardHandler), err)
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "context canceled") {
		t.Errorf("answered %d %s", w.Code, w.Body)
	}
}

func TestOfTakesTheCallerFromTheTokenAndTheRequestID(t *testing.T) {
	var got access.AccessRecorded
	var gotErr error
	h := httpkit.Middleware(slog.New(slog.DiscardHandler), time.Now)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" { // what auth's middleware does with a valid token
			r = r.WithContext(auth.With(r.Context(), nia))
		}
		got, gotErr = audit.Of(r, audit.Access{Patient: patient, Action: access.ReadTimeline, Basis: access.BreakGlass,
			Reason: "covering for a colleague", Outcome: access.Allowed, Status: 200})
	}))
	req := httptest.NewRequest("GET", "/v1/patients/"+patient+"/timeline?from=2026-11-01T00:00:00Z", nil)
	req.Header.Set("X-Request-Id", "req-abc")
	req.Header.Set("Authorization", "Bearer x")
	h.ServeHTTP(httptest.NewRecorder(), req)
	want := access.AccessRecorded{Patient: patient, ActorID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001",
		Action: access.ReadTimeline, Resource: "/v1/patients/" + patient + "/timeline", Basis: access.BreakGlass,
		Reason: "covering for a colleague", Outcome: access.Allowed, Status: 200, RequestID: "req-abc", TokenID: "jti-1"}
	if gotErr != nil || got != want {
		t.Fatalf("Of = %+v, %v\nwant %+v", got, gotErr, want)
	}
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}

	req.Header.Del("Authorization")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if httpkit.KindOf(gotErr) != httpkit.KindUnauthorized {
		t.Fatalf("without a principal: %v", gotErr)
	}
}

func TestNewWantsAStoreAndAServiceName(t *testing.T) {
	if _, err := audit.New(nil, "query", nil); err == nil {
		t.Error("no store accepted")
	}
	_, store := newRecorder(t, "query")
	for _, name := range []string{"", "Query", "query.api", "care access", strings.Repeat("q", 65)} {
		if _, err := audit.New(store, name, nil); err == nil {
			t.Errorf("service name %q accepted", name)
		}
	}
	rec, err := audit.New(store, "medreviews", nil)
	if err != nil || rec.Service() != "medreviews" {
		t.Fatal(err)
	}
}

func TestRecordAllStoresEveryRecordOrNone(t *testing.T) {
	rec, store := newRecorder(t, "carehomes")
	ctx := t.Context()
	if err := rec.RecordAll(ctx, read(other, access.ReadRecord, 1), read(patient, access.ReadRecord, 1)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{patient, other} {
		if _, got := stored(t, store, p); len(got) != 1 {
			t.Errorf("%s's stream holds %d records, want 1", p, len(got))
		}
	}
	// One invalid record in a batch leaves none of them.
	bad := read(other, access.ReadRecord, 2)
	bad.Outcome = "maybe"
	if err := rec.RecordAll(ctx, read(patient, access.ReadRecord, 2), bad); err == nil {
		t.Fatal("RecordAll took an invalid record")
	}
	if _, got := stored(t, store, patient); len(got) != 1 {
		t.Errorf("a refused batch left %d records on the first patient's stream, want the 1 from before", len(got))
	}
}
