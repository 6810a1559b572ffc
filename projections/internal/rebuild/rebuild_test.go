package rebuild

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/projections/internal/query"
	"github.com/careweave/careweave/projections/internal/store"
	"github.com/careweave/careweave/projections/internal/worker"
	"github.com/careweave/careweave/projections/synthetic"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// rig is a projector over real PostgreSQL and NATS, and a publisher that
// puts events on the stream as the services' relays would.
type rig struct {
	pool    *pgxpool.Pool
	control string
	gens    *store.Generations
	js      jetstream.JetStream
	logger  *slog.Logger

	mu        sync.Mutex
	published map[events.ID]bool // distinct events on the stream
}

func newRig(t *testing.T) *rig {
	t.Helper()
	pool, control := testkit.Postgres(t)
	nc := testkit.Connect(t, testkit.NATS(t).ClientURL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := natskit.Provision(t.Context(), js, natskit.TopologyConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := pgkit.Migrate(t.Context(), pool, control, store.ControlMigrations()...); err != nil {
		t.Fatal(err)
	}
	gens, err := store.NewGenerations(control)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gens.Prepare(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	return &rig{pool: pool, control: control, gens: gens, js: js, logger: slog.New(slog.DiscardHandler), published: map[events.ID]bool{}}
}

// startProjector runs the incremental projector until the test ends.
func (r *rig) startProjector(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- worker.Run(ctx, r.js, r.pool, r.control, worker.Config{}, r.logger) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("projector: %v", err)
		}
	})
}

var t0 = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)

func patientRef(i int) string { return synthetic.Patient(i) }

func history(i int) []events.Envelope {
	return synthetic.History(i, t0.Add(time.Duration(i)*time.Minute))
}

// publish puts envelopes on the stream. msgIDPrefix makes a republication
// (the same event after the dedup window) a new stream message.
func (r *rig) publish(t *testing.T, envs []events.Envelope, msgIDPrefix string) {
	t.Helper()
	for _, en := range envs {
		b, err := en.Encode()
		if err != nil {
			t.Fatal(err)
		}
		subject, err := events.SubjectOf(&en)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.js.PublishMsgAsync(&nats.Msg{Subject: subject, Data: b, Header: nats.Header{jetstream.MsgIDHeader: []string{msgIDPrefix + en.ID.String()}}}); err != nil {
			t.Fatal(err)
		}
		r.mu.Lock()
		r.published[en.ID] = true
		r.mu.Unlock()
	}
	select {
	case <-r.js.PublishAsyncComplete():
	case <-time.After(60 * time.Second):
		t.Fatal("publishes not acknowledged")
	}
}

func (r *rig) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.published)
}

func (r *rig) count(t *testing.T, sql string) int {
	t.Helper()
	var n int
	if err := r.pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// settled waits until generation gen has applied every distinct event.
func (r *rig) settled(t *testing.T, gen int) {
	t.Helper()
	want := r.distinct()
	testkit.Eventually(t, 90*time.Second, func() bool {
		return r.count(t, "SELECT count(*) FROM "+r.gens.Schema(gen)+".consumed_events") == want
	}, "generation %d applied %d of %d events", gen, r.count(t, "SELECT count(*) FROM "+r.gens.Schema(gen)+".consumed_events"), want)
}

// volatile are the columns two correct generations may disagree on: the
// order numbers each assigns, and wall-clock times of applying.
var volatile = map[string]bool{"row_id": true, "change_seq": true, "applied_at": true, "consumed_at": true}

// sameModels fails unless generations a and b hold the same rows in every
// read model table.
func (r *rig) sameModels(t *testing.T, a, b int) {
	t.Helper()
	ctx := context.Background()
	rows, err := r.pool.Query(ctx, `SELECT table_name, string_agg(column_name, ', ' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_schema = $1 AND table_name NOT LIKE '%migrations' GROUP BY table_name ORDER BY table_name`, r.gens.Schema(a))
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]string{}
	for rows.Next() {
		var table, cols string
		if err := rows.Scan(&table, &cols); err != nil {
			t.Fatal(err)
		}
		var keep []string
		for _, c := range strings.Split(cols, ", ") {
			if !volatile[c] {
				keep = append(keep, c)
			}
		}
		tables[table] = strings.Join(keep, ", ")
	}
	if rows.Err() != nil || len(tables) < 9 {
		t.Fatalf("read model tables: %v (%v)", tables, rows.Err())
	}
	sa, sb := r.gens.Schema(a), r.gens.Schema(b)
	for table, cols := range tables {
		diff := r.count(t, fmt.Sprintf(`SELECT count(*) FROM ((SELECT %[1]s FROM %[2]s.%[4]s EXCEPT ALL SELECT %[1]s FROM %[3]s.%[4]s)
			UNION ALL (SELECT %[1]s FROM %[3]s.%[4]s EXCEPT ALL SELECT %[1]s FROM %[2]s.%[4]s)) d`, cols, sa, sb, table))
		if diff != 0 {
			t.Errorf("%s: %d rows differ between generation %d and %d", table, diff, a, b)
		}
	}
}

func TestRebuiltModelsEqualTheIncrementallyBuiltOnes(t *testing.T) {
	r := newRig(t)
	r.startProjector(t)
	const patients = 120
	var all []events.Envelope
	for i := range patients {
		all = append(all, history(i)...)
		all = append(all, synthetic.Access(i, t0.Add(time.Duration(i)*time.Minute+time.Hour))...)
	}
	r.publish(t, all, "")
	r.publish(t, all[:50], "republished-") // repeats past the dedup window
	// A message no projector can read: parked by the projector, skipped by the rebuild.
	if _, err := r.js.Publish(t.Context(), "care.homevisits.U84001.p03.visit_requested.v1", []byte(`{"not":"an event"`)); err != nil {
		t.Fatal(err)
	}
	r.settled(t, 1)

	var progress []Progress
	res, err := Run(t.Context(), r.pool, r.js, Config{Control: r.control, Batch: 300, Progress: func(p Progress) { progress = append(progress, p) }}, r.logger)
	if err != nil {
		t.Fatal(err)
	}
	if res.Generation != 2 || res.Previous != 1 || res.Applied != int64(len(all)) || res.Repeats != 50 || res.Parked != 1 {
		t.Fatalf("result %+v: want generation 2 after 1, %d applied, 50 repeats, 1 parked", res, len(all))
	}
	if live, _ := r.gens.Live(t.Context(), r.pool); live != 2 {
		t.Fatalf("live generation %d after the rebuild, want 2", live)
	}
	if last := progress[len(progress)-1]; len(progress) < 3 || last.Done != last.Total || last.Total != uint64(len(all)+51) {
		t.Fatalf("progress %+v: want several reports ending at %d of %d", last, len(all)+51, len(all)+51)
	}
	r.sameModels(t, 1, 2)
	// The comparison had something to compare: marks and every view.
	s := r.gens.Schema(2)
	for sql, min := range map[string]int{
		"SELECT count(*) FROM " + s + ".timeline WHERE status = 'retracted'":  patients / 5,
		"SELECT count(*) FROM " + s + ".timeline WHERE status = 'superseded'": patients,
		"SELECT count(*) FROM " + s + ".assignment_board":                     patients,
		"SELECT count(*) FROM " + s + ".discharge_worklist":                   patients,
		"SELECT count(*) FROM " + s + ".open_items":                           patients,
		"SELECT count(*) FROM " + s + ".access_log":                           5 * patients,
		"SELECT count(*) FROM " + s + ".access_log WHERE until IS NOT NULL":   patients,
	} {
		if n := r.count(t, sql); n < min {
			t.Fatalf("%s = %d, want at least %d", sql, n, min)
		}
	}

	// The projector goes on in the new generation.
	r.publish(t, history(patients), "")
	r.settled(t, 2)
	if n := r.count(t, "SELECT count(*) FROM "+r.gens.Schema(1)+".consumed_events"); n != len(all) {
		t.Fatalf("the retired generation took %d events, want it left at %d", n, len(all))
	}
}

// queryAPI serves the query API over the rig's read models to a reader who
// broke glass to read the patients' records (its own access policy and audit
// are tested with the query API).
func (r *rig) queryAPI(t *testing.T, patients ...string) http.Handler {
	t.Helper()
	if err := pgkit.Migrate(t.Context(), r.pool, r.control, eventstore.Migrations(), query.Migrations()); err != nil {
		t.Fatal(err)
	}
	st, err := eventstore.New(r.pool, r.control)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := audit.New(st, "query", nil)
	if err != nil {
		t.Fatal(err)
	}
	api, err := query.New(r.pool, r.control, query.Config{Directory: directory.Demo(), Recorder: rec}, r.logger)
	if err != nil {
		t.Fatal(err)
	}
	reader := auth.Principal{Subject: "cc-reader", Role: "care-coordinator", Org: "U84002", PCN: "U84002"}
	for _, patient := range patients {
		if _, err := r.pool.Exec(t.Context(), `INSERT INTO `+r.control+`.break_glass_grants (subject, role, patient, reason, until)
			VALUES ($1, $2, $3, 'watching a rebuild', now() + interval '1 hour')`, reader.Subject, reader.Role, patient); err != nil {
			t.Fatal(err)
		}
	}
	router := httpkit.NewRouter()
	api.Register(router)
	return httpkit.Middleware(r.logger, time.Now)(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		router.ServeHTTP(w, req.WithContext(auth.With(req.Context(), reader)))
	}))
}

func TestRebuildUnderLoadSwitchesOverWithoutLosingOrRepeatingAnEvent(t *testing.T) {
	r := newRig(t)
	r.startProjector(t)
	srv := httptest.NewServer(r.queryAPI(t, patientRef(0), patientRef(1)))
	t.Cleanup(srv.Close)

	const before = 150
	for i := range before {
		r.publish(t, history(i), "")
	}
	r.settled(t, 1)
	feed := openFeed(t, srv.URL, patientRef(0))
	feed.await(t, "entry", 1, "1.") // the first generation's entries

	// Events keep coming while the rebuild runs.
	ctx, stop := context.WithCancel(context.Background())
	var next atomic.Int64
	next.Store(before)
	var load sync.WaitGroup
	load.Go(func() {
		for ctx.Err() == nil {
			r.publish(t, history(int(next.Add(1)-1)), "")
			time.Sleep(5 * time.Millisecond)
		}
	})
	var servedOld bool
	cfg := Config{Control: r.control, Batch: 200, beforeSwitch: func(gen int) {
		// The gate is closed: what arrives now must wait for the new
		// generation. Without the gate the projector would apply it to the
		// old one, and the new one would never have it.
		r.publish(t, history(int(next.Add(1)-1)), "")
		time.Sleep(300 * time.Millisecond)
		// Readers still get the old copy.
		servedOld = freshnessGeneration(t, srv.URL, patientRef(1)) == 1
	}}
	res, err := Run(t.Context(), r.pool, r.js, cfg, r.logger)
	stop()
	load.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !servedOld {
		t.Fatal("the query API did not serve the old generation until the switch")
	}
	if g := freshnessGeneration(t, srv.URL, patientRef(1)); g != 2 {
		t.Fatalf("the query API serves generation %d after the switch, want 2", g)
	}
	r.settled(t, 2) // exactly every distinct event, once
	patients := int(next.Load())
	if n := r.count(t, "SELECT count(DISTINCT patient) FROM "+r.gens.Schema(2)+".timeline"); n != patients {
		t.Fatalf("the new generation has timelines for %d patients, want %d", n, patients)
	}
	t.Logf("rebuild: %+v; %d patients' events in all", res, patients)

	// The live feed told its client to start again, then sent the new
	// generation's entries.
	feed.await(t, "reset", 1, "")
	feed.await(t, "entry", 1, "2.")

	// A rebuild from scratch now gives exactly what the switched-over
	// generation holds: nothing was lost or doubled at the switch.
	if _, err := Run(t.Context(), r.pool, r.js, Config{Control: r.control}, r.logger); err != nil {
		t.Fatal(err)
	}
	r.sameModels(t, 2, 3)
	if n := r.count(t, "SELECT count(*) FROM "+r.control+".generations WHERE state = 'dropped'"); n != 1 {
		t.Fatalf("%d generations dropped after two rebuilds, want the first (keeping one retired)", n)
	}
}

func freshnessGeneration(t *testing.T, base, patient string) int {
	resp, err := http.Get(base + "/v1/patients/" + patient + "/timeline")
	if err != nil {
		t.Error(err)
		return 0
	}
	defer resp.Body.Close()
	var p struct{ Freshness struct{ Generation int } }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&p) != nil {
		t.Errorf("timeline: %s", resp.Status)
	}
	return p.Freshness.Generation
}

// sseEvent is one event read from a live feed.
type sseEvent struct{ kind, id string }

type sseFeed struct{ events chan sseEvent }

func openFeed(t *testing.T, base, patient string) *sseFeed {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v1/patients/"+patient+"/timeline/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("live feed = %d %s", resp.StatusCode, b)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	f := &sseFeed{events: make(chan sseEvent, 1000)}
	go func() {
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.kind = strings.TrimPrefix(line, "event: ")
			case line == "" && ev.kind != "":
				f.events <- ev
				ev = sseEvent{}
			}
		}
	}()
	return f
}

// await reads the feed until n events of kind whose ids start with prefix
// have come.
func (f *sseFeed) await(t *testing.T, kind string, n int, prefix string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for n > 0 {
		select {
		case ev := <-f.events:
			if ev.kind == kind && strings.HasPrefix(ev.id, prefix) {
				n--
			}
		case <-deadline:
			t.Fatalf("no %s event with id %s... on the live feed", kind, prefix)
		}
	}
}
