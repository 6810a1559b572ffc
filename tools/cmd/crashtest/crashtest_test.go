package main

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/pgcluster"
)

// TestTheShortCrashTestLosesAndRepeatsNothing is `make crashtest` in
// brief: a light load, and every kind of process killed -9 once, six
// seconds apart, each restarted; loadgen's verification must pass.
func TestTheShortCrashTestLosesAndRepeatsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole stack")
	}
	cfg := Config{Duration: 45 * time.Second, Rate: 30, Patients: 200, KillEvery: 6 * time.Second, Victims: victims,
		Loadgen: []string{"-warmup", "3s", "-workers", "8", "-e2e-sample", "0.2"}}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	err := run(t.Context(), cfg, logger)
	if errors.Is(err, pgcluster.ErrBinariesNotFound) {
		t.Skipf("no PostgreSQL server installed: %v", err)
	}
	if err != nil {
		t.Fatal(err)
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
		{"-rate", "0"},
	} {
		if _, err := parseConfig(bad); err == nil {
			t.Errorf("parseConfig(%q) took it", bad)
		}
	}
}
