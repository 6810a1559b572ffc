package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/pgcluster"
	"github.com/careweave/careweave/tools/internal/baseline"
)

// TestTheShortCrashTestLosesAndRepeatsNothing is `make crashtest` in
// brief: a light load, and every kind of process killed -9 once, six
// seconds apart, each restarted; loadgen's verification must pass. It also
// runs the benchmark's frame (one-second baselines, the event stream read
// while sending) and checks the figures it wrote.
func TestTheShortCrashTestLosesAndRepeatsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole stack")
	}
	cfg := Config{Duration: 45 * time.Second, Rate: 30, Patients: 200, KillEvery: 6 * time.Second, Victims: victims, Workers: 8,
		Loadgen: []string{"-warmup", "3s", "-e2e-sample", "0.2"}, Baselines: time.Second, Out: filepath.Join(t.TempDir(), "bench.json")}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	err := run(t.Context(), cfg, logger)
	if errors.Is(err, pgcluster.ErrBinariesNotFound) {
		t.Skipf("no PostgreSQL server installed: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	var r benchResult
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	// At 30 commands/s for 45 s every command publishes at least its event
	// and its access record. PostgreSQL was killed, so its counters were
	// reset and its work per command must be reported as not measured.
	if r.Insert.Ops == 0 || r.Publish.Ops == 0 || r.EventsPublished < 2*30*30 || r.CommandRatio <= 0 || r.PublishRatio <= 0 || len(r.Loadgen) == 0 ||
		!r.PostgresRestarted || r.CommitsPerCommand != 0 {
		t.Fatalf("benchmark results %s", raw)
	}
}

func TestParseConfig(t *testing.T) {
	c, err := parseConfig([]string{"-duration", "1m", "-kill-every", "10s", "-victims", "nats,postgres", "--", "-workers", "4"})
	if err != nil || len(c.Victims) != 2 || c.Loadgen[1] != "4" {
		t.Fatalf("parseConfig = %+v, %v", c, err)
	}
	for _, bad := range [][]string{
		{"-victims", "relay-of-doom"},
		{"-duration", "5s"},
		{"-duration", "30s", "-kill-every", "10s"}, // five kills do not fit
		{"-rate", "-1"},
		{"-workers", "0"},
		{"-baselines", "10ms"},
	} {
		if _, err := parseConfig(bad); err == nil {
			t.Errorf("parseConfig(%q) took it", bad)
		}
	}
}

// The report divides the cluster's work over the sending window by the
// commands accepted in it, and refuses to when PostgreSQL restarted.
func TestTheBenchmarkReportsWorkPerCommandOnlyWithoutARestart(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "loadgen.json")
	if err := os.WriteFile(results, []byte(`{"accepted": 1000, "acceptedPerSecond": 100}`), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	b := &benchmark{Insert: baseline.Result{Ops: 4000, Elapsed: time.Second}, Publish: baseline.Result{Ops: 40000, Elapsed: time.Second},
		from: start, to: start.Add(10 * time.Second), start: 100, end: 2600,
		pgFrom: pgStats{Commits: 50, Inserted: 10, Started: start}, pgTo: pgStats{Commits: 5050, Inserted: 6010, Updated: 1000, Started: start}}
	out := filepath.Join(dir, "bench.json")
	var printed strings.Builder
	if err := b.report(&printed, results, out); err != nil {
		t.Fatal(err)
	}
	var r benchResult
	raw, _ := os.ReadFile(out)
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if r.CommitsPerCommand != 5 || r.RowsPerCommand != 7 || r.EventsPerSecond != 250 || r.CommandRatio != 0.025 || r.PostgresRestarted {
		t.Fatalf("report %+v", r)
	}
	b.pgTo.Started = start.Add(time.Minute)
	if err := b.report(&printed, results, out); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(out)
	r = benchResult{}
	if err := json.Unmarshal(raw, &r); err != nil || !r.PostgresRestarted || r.CommitsPerCommand != 0 || !strings.Contains(printed.String(), "not measured") {
		t.Fatalf("after a restart: %+v (%v)", r, err)
	}
}
