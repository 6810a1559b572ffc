package baseline_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/tools/internal/baseline"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// Each baseline counts only what the server stored (it checks its own
// count against the table or the stream, so a lost write fails it) and
// leaves nothing behind.
func TestBaselinesCountWhatTheServersStored(t *testing.T) {
	pool, _ := testkit.Postgres(t)
	ins, err := baseline.Insert(t.Context(), pool, 4, 300*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ins.Ops == 0 || ins.Rate() <= 0 || ins.P50 <= 0 || ins.P99 < ins.P50 {
		t.Fatalf("insert baseline %+v", ins)
	}
	var left int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'baseline\_%'`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d baseline schemas left (%v)", left, err)
	}

	ns := testkit.NATS(t)
	nc := testkit.Connect(t, ns.ClientURL())
	pub, err := baseline.Publish(t.Context(), nc, 256, 300*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Ops == 0 || pub.Rate() <= 0 {
		t.Fatalf("publish baseline %+v", pub)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	names := js.StreamNames(t.Context())
	for name := range names.Name() {
		t.Errorf("stream %s left", name)
	}
	if names.Err() != nil {
		t.Fatal(names.Err())
	}
}
