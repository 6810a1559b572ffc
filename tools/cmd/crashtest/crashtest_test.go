package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/pgcluster"
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
	// and its access record.
	if r.Insert.Ops == 0 || r.Publish.Ops == 0 || r.EventsPublished < 2*30*30 || r.CommandRatio <= 0 || r.PublishRatio <= 0 || len(r.Loadgen) == 0 ||
		r.CommitsPerCommand < 1 || r.RowsPerCommand < 2 {
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
