package main

import (
	"bytes"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// lockedBuffer takes progress lines from the ticker goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunQuick runs the whole benchmark in -quick mode against the test
// cluster and an embedded NATS server, and checks the report's shape and
// that its figures are positive. Timings are not asserted: this machine's
// speed is not the code's correctness.
func TestRunQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every benchmark for a few seconds")
	}
	env := map[string]string{"DATABASE_URL": testkit.DatabaseURL(t)}
	cfg, err := parseConfig([]string{"-quick"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	progress := &lockedBuffer{}
	cfg.Progress = progress
	var out bytes.Buffer
	if err := run(t.Context(), cfg, &out, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	report := out.String()
	t.Log("\n" + report)

	for _, want := range []string{"## Machine", "## 1. Append throughput", "## 2. Publication throughput",
		"## 3. Commit-to-JetStream lag", "## Targets", "fsync=", "synchronous_commit=", "PostgreSQL ", "writebench -quick"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}

	// Append: one row per case, each with positive rates and ratio.
	appendRow := regexp.MustCompile(`(?m)^\| (\d+ writers?, \d+/tx) \| ([\d,]+) \| ([\d,]+) \| ([\d.]+)\*? \|$`)
	rows := appendRow.FindAllStringSubmatch(report, -1)
	if len(rows) != len(defaultWriters)*len(defaultPerTx) {
		t.Errorf("append table has %d rows, want %d", len(rows), len(defaultWriters)*len(defaultPerTx))
	}
	for _, row := range rows {
		for _, cell := range row[2:] {
			if positive(t, cell) <= 0 {
				t.Errorf("append case %q: figure %q is not positive", row[1], cell)
			}
		}
	}

	// Publication: each shape at positive rates both ways, every event stored.
	for _, shape := range preloadShapes {
		row := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(shape.name) + ` \| ([\d,]+) \| ([\d,]+) \| ([\d.]+)\*? \|$`).FindStringSubmatch(report)
		if row == nil {
			t.Errorf("publication table lacks the %s row", shape.name)
			continue
		}
		for _, cell := range row[1:] {
			if positive(t, cell) <= 0 {
				t.Errorf("publication %s: figure %q is not positive", shape.name, cell)
			}
		}
		for _, side := range []string{"relay", "baseline"} {
			stored := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(shape.name) + ` \| ` + side + ` \| ([\d,]+) \|`).FindStringSubmatch(report)
			if stored == nil || positive(t, stored[1]) != quickPublishEvents {
				t.Errorf("publication %s, %s: stored %q, want %d", shape.name, side, stored, quickPublishEvents)
			}
		}
	}

	// Lag: events flowed both ways, none lost or duplicated, positive p99.
	if !strings.Contains(report, "| missing / duplicated / unexpected | 0 / 0 / 0 | 0 / 0 / 0 |") {
		t.Error("lag run lost, duplicated or invented events")
	}
	p99 := regexp.MustCompile(`(?m)^\| \*\*lag p99\*\* \| \*\*([\d.]+) ms\*\* \| ([\d.]+) ms \|`).FindStringSubmatch(report)
	if p99 == nil {
		t.Error("lag table lacks p99")
	} else {
		for _, cell := range p99[1:] {
			if positive(t, cell) <= 0 {
				t.Errorf("lag p99 %q ms is not positive", cell)
			}
		}
	}
	received := regexp.MustCompile(`(?m)^\| events received / appended \| ([\d,]+) / ([\d,]+) \|`).FindStringSubmatch(report)
	if received == nil || positive(t, received[1]) <= 0 || received[1] != received[2] {
		t.Errorf("lag events received / appended: %q", received)
	}

	if p := progress.String(); !strings.Contains(p, "[append ") || !strings.Contains(p, "[publish interleaved: relay]") || !strings.Contains(p, "[lag: relay]") {
		t.Errorf("progress output lacks a section:\n%s", p)
	}
}

func positive(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		t.Errorf("%q is not a number", s)
		return 0
	}
	return v
}

func TestParseConfig(t *testing.T) {
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return "postgres://db/x"
		}
		return ""
	}
	cfg, err := parseConfig(nil, env, io.Discard)
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if cfg.AppendDuration != 5*time.Second || cfg.PublishEvents != 100_000 || cfg.LagDuration != 20*time.Second ||
		cfg.LagRate != 2000 || cfg.LagWriters != 8 || len(cfg.Sections) != 3 {
		t.Errorf("defaults: %+v", cfg)
	}
	if got := cfg.Writers; len(got) != 3 || got[0] != 1 || got[1] != 8 || got[2] != 16 {
		t.Errorf("default writers %v, want 1,8,16", got)
	}

	cfg, err = parseConfig([]string{"-quick", "-lag-duration", "7s", "-writers", "2, 4", "-sections", "lag"}, env, io.Discard)
	if err != nil {
		t.Fatalf("quick: %v", err)
	}
	if cfg.AppendDuration != time.Second || cfg.PublishEvents != 10_000 || cfg.LagDuration != 7*time.Second {
		t.Errorf("quick keeps explicit flags and shortens the rest: %+v", cfg)
	}
	if len(cfg.Writers) != 2 || cfg.Writers[1] != 4 || !cfg.runs(sectionLag) || cfg.runs(sectionAppend) {
		t.Errorf("lists: writers %v, sections %v", cfg.Writers, cfg.Sections)
	}
	if cfg.Command != "writebench -quick -lag-duration 7s -writers '2, 4' -sections lag" {
		t.Errorf("Command = %q", cfg.Command)
	}

	for _, args := range [][]string{
		{"-writers", "0"},
		{"-writers", "x"},
		{"-per-tx", "5000"},
		{"-duration", "1ms"},
		{"-lag-rate", "0"},
		{"-sections", "append,speed"},
		{"-data-size", "10"},
		{"extra"},
	} {
		if _, err := parseConfig(args, env, io.Discard); err == nil {
			t.Errorf("parseConfig(%q) succeeded, want an error", args)
		}
	}
	if _, err := parseConfig(nil, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("without DATABASE_URL: %v, want an error naming it", err)
	}
}
