package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/projections"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// env is the infrastructure projector processes share in a test.
type env struct {
	natsURL string
	pool    *pgxpool.Pool
	schema  string
	js      jetstream.JetStream
}

func newEnv(t *testing.T) env {
	t.Helper()
	pool, schema := testkit.Postgres(t)
	ns := testkit.NATS(t)
	nc := testkit.Connect(t, ns.ClientURL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := natskit.Provision(t.Context(), js, natskit.TopologyConfig{}); err != nil {
		t.Fatal(err)
	}
	return env{natsURL: ns.ClientURL(), pool: pool, schema: schema, js: js}
}

// startProjector runs one projector process; stop it with the returned
// function (a graceful stop, mid-stream if events are flowing).
func (e env) startProjector(t *testing.T) (stop func()) {
	t.Helper()
	cfg := service.Config{Name: "projector", Schema: e.schema, HTTPAddr: "127.0.0.1:0", DatabaseURL: testkit.DatabaseURL(t),
		NATSURL: e.natsURL, StreamReplicas: 1, DuplicateWindow: time.Minute, ShutdownGrace: 5 * time.Second, Auth: servicetest.AuthConfig(t)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts := projections.ProjectorOptions(nil)
	addr := make(chan string, 1)
	opts.Started = func(a string) { addr <- a }
	go func() { done <- service.Run(ctx, cfg, opts, slog.New(slog.DiscardHandler)) }()
	select {
	case a := <-addr:
		testkit.Eventually(t, 30*time.Second, func() bool {
			resp, err := http.Get("http://" + a + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, "projector never ready")
	case err := <-done:
		t.Fatalf("projector did not start: %v", err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("projector stopped with %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// publish puts patient i's visit history (a request, then re-triages) on
// JetStream as the home-visits relay would, msgID distinguishing a
// redelivery from the original.
func (e env) publish(t *testing.T, patients, perPatient int, msgIDPrefix string) int {
	t.Helper()
	n := 0
	for v := 1; v <= perPatient; v++ {
		for i := range patients {
			patient := fmt.Sprintf("01a20900-0000-7000-8000-%012d", i)
			at := t0.Add(time.Duration(v) * time.Minute)
			var data events.Data = hv.VisitRequested{Patient: patient, Practice: "L84001", PCN: "U84001", Reason: "fall", Source: hv.SourcePhone, Caller: hv.CallerRelative, RequestedAt: at}
			if v > 1 {
				data = hv.VisitTriaged{TriagedBy: "gp-amara-okafor", TriagedByRole: "gp", Urgency: "urgent",
					Window: hv.Window{NotBefore: at, VisitBy: at.Add(2 * time.Hour)}, TriagedAt: at}
			}
			en, err := events.New(data, events.Metadata{ID: eventID(i, v), Time: at, Subject: patient, Area: "U84001",
				CorrelationID: "test", Actor: events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}})
			if err != nil {
				t.Fatal(err)
			}
			en.StreamID, en.StreamVersion = fmt.Sprintf("visit-01a20900-0000-7000-9000-%012d", i), int64(v)
			b, err := en.Encode()
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := events.SubjectOf(&en)
			if _, err := e.js.PublishMsgAsync(&nats.Msg{Subject: subject, Data: b, Header: nats.Header{jetstream.MsgIDHeader: []string{msgIDPrefix + en.ID.String()}}}); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	select {
	case <-e.js.PublishAsyncComplete():
	case <-time.After(60 * time.Second):
		t.Fatal("publishes not acknowledged")
	}
	return n
}

// eventID is deterministic so a redelivery carries the same event id.
func eventID(patient, version int) events.ID {
	id, _ := events.ParseID(fmt.Sprintf("01a20900-%04x-7000-8000-%012d", version, patient))
	return id
}

func (e env) count(t *testing.T, sql string) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e env) rows(t *testing.T) int {
	return e.count(t, "SELECT count(*) FROM "+e.models()+".timeline")
}

// checkOrder fails unless every patient's entries were applied in event
// order and each event appears once.
func (e env) checkOrder(t *testing.T, patients, perPatient int) {
	t.Helper()
	if n := e.rows(t); n != patients*perPatient {
		t.Fatalf("timeline holds %d entries, want %d", n, patients*perPatient)
	}
	bad := e.count(t, `SELECT count(*) FROM (SELECT stream_version, row_number() OVER (PARTITION BY patient ORDER BY row_id) AS rn
		FROM `+e.models()+`.timeline) x WHERE stream_version <> rn`)
	if bad != 0 {
		t.Fatalf("%d entries were applied out of their patient's order", bad)
	}
}

func TestKilledWorkerLosesAndDuplicatesNothingAndRedeliveryChangesNothing(t *testing.T) {
	e := newEnv(t)
	const patients, perPatient = 100, 10
	stopA := e.startProjector(t)
	total := e.publish(t, patients, perPatient, "")
	testkit.Eventually(t, 60*time.Second, func() bool { return e.rows(t) >= total/4 }, "projector made no progress")
	stopA() // mid-stream
	if n := e.rows(t); n >= total {
		t.Logf("the first worker finished before it was stopped (%d rows); the restart still has to change nothing", n)
	}
	e.startProjector(t)
	testkit.Eventually(t, 60*time.Second, func() bool { return e.rows(t) == total }, "timeline holds %d of %d entries after the restart", e.rows(t), total)
	e.checkOrder(t, patients, perPatient)

	// Every event again (as after a lost ack or a rewound consumer): nothing changes.
	before := e.count(t, "SELECT count(*) FROM "+e.models()+".timeline WHERE status = 'superseded'")
	e.publish(t, patients, perPatient, "again-")
	testkit.Eventually(t, 60*time.Second, func() bool {
		return e.count(t, "SELECT coalesce(sum(stream_seq), 0) FROM "+e.models()+".positions") > 0 &&
			e.count(t, "SELECT count(*) FROM "+e.models()+".positions WHERE stream_seq >= "+fmt.Sprint(total)) > 0
	}, "the redelivered events were not consumed")
	testkit.Eventually(t, 60*time.Second, func() bool {
		return e.count(t, "SELECT max(stream_seq) FROM "+e.models()+".positions") == 2*total
	}, "redelivery not fully consumed")
	if n := e.rows(t); n != total {
		t.Fatalf("redelivery changed the timeline: %d entries, want %d", n, total)
	}
	if after := e.count(t, "SELECT count(*) FROM "+e.models()+".timeline WHERE status = 'superseded'"); after != before {
		t.Fatalf("redelivery changed statuses: %d superseded, was %d", after, before)
	}
	e.checkOrder(t, patients, perPatient)
}

func TestTwoWorkersKeepEveryPatientsOrder(t *testing.T) {
	e := newEnv(t)
	const patients, perPatient = 500, 20
	e.startProjector(t)
	e.startProjector(t)
	total := e.publish(t, patients, perPatient, "")
	testkit.Eventually(t, 5*time.Minute, func() bool { return e.rows(t) == total }, "timeline holds %d of %d entries", e.rows(t), total)
	e.checkOrder(t, patients, perPatient)
	// A re-triage supersedes the triage before it: only the last one stands.
	if n := e.count(t, "SELECT count(*) FROM "+e.models()+".timeline WHERE event_type LIKE '%visit_triaged%' AND status = 'recorded'"); n != patients {
		t.Fatalf("%d triage entries still current, want one per patient (%d)", n, patients)
	}
}

// models is the schema of the read models: the first generation, as no
// test here rebuilds.
func (e env) models() string { return e.schema + "_g1" }
