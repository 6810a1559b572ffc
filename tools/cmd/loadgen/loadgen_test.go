package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/pgcluster"
	"github.com/careweave/careweave/kit/testkit"
)

// TestAShortRunAgainstTheRealStackPassesVerification starts the dev stack
// as make run does (careweave-dev, built and run as a process, with its own
// data directory and ports), runs loadgen against it for a few seconds and
// checks the results file: commands accepted, latencies measured, every
// process's RSS read, and verification passed.
func TestAShortRunAgainstTheRealStackPassesVerification(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole dev stack")
	}
	stack := startDevStack(t)
	out := filepath.Join(t.TempDir(), "results.json")
	var stdout, stderr bytes.Buffer
	// Up to sixteen commands in flight: more than a service's pool of four
	// connections (a command once held one and waited for another).
	code := mainExit(t.Context(), []string{"-issuer", stack.issuer, "-base-port", strconv.Itoa(stack.basePort),
		"-patients", "60", "-rate", "40", "-duration", "6s", "-warmup", "2s", "-workers", "16", "-e2e-sample", "0.5",
		"-catch-up", "30s", "-out", out}, func(string) string { return "" }, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("loadgen exited %d\nstdout:\n%s\nstderr:\n%s\nthe stack's last lines:\n%s", code, stdout.String(), stderr.String(), tail(stack.out.String(), 40))
	}
	var res results
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Passed || res.Accepted < 100 || res.Verify.Commands != int(res.Accepted) || res.Verify.Entries == 0 || res.Verify.Total != 0 {
		t.Errorf("results: passed %v, accepted %d, verified %d commands and %d entries, %d differences", res.Passed, res.Accepted,
			res.Verify.Commands, res.Verify.Entries, res.Verify.Total)
	}
	if res.RoundTrip.Count == 0 || res.EndToEnd.Count == 0 || len(res.Samples) < 4 {
		t.Errorf("measured %d round trips, %d end-to-end, %d samples", res.RoundTrip.Count, res.EndToEnd.Count, len(res.Samples))
	}
	// End-to-end latency is measured on live feeds, one per followed
	// patient, not by polling.
	if res.E2EFeeds == 0 || res.EndToEnd.Count < res.E2EFeeds/2 {
		t.Errorf("followed %d commands on %d live feeds (%d open at most); %d not seen, %d not followed", res.EndToEnd.Count, res.E2EFeeds,
			res.E2EFeedsPeak, res.E2ETimeouts, res.E2EDropped)
	}
	names := map[string]bool{}
	for _, p := range res.Procs {
		names[p.Name] = p.FinalRSS > 0 && p.PeakRSS >= p.FinalRSS && p.HWM > 0
	}
	for _, s := range serviceOrder {
		if !names[s] {
			t.Errorf("no RSS for %s: %+v", s, res.Procs)
		}
	}
	for _, want := range []string{"| accepted commands/s", "| verification | **passed**", "| query |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout.String())
		}
	}
	// Not preceded by a digit or a point: a float's digits are no NHS number.
	if regexp.MustCompile(`(^|[^\d.])999\d{7}(\D|$)`).MatchString(stderr.String() + stdout.String() + string(raw)) {
		t.Error("an NHS number is in loadgen's output")
	}
}

type devStack struct {
	issuer   string
	basePort int
	out      *syncBuffer
}

// startDevStack builds careweave-dev and runs it until the test ends.
func startDevStack(t *testing.T) devStack {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := wd
	for ; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.work")); err == nil {
			break
		}
		if root == filepath.Dir(root) {
			t.Fatal("no go.work above the test's directory")
		}
	}
	bin := filepath.Join(t.TempDir(), "careweave-dev")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./tools/cmd/careweave-dev")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build careweave-dev: %v\n%s", err, b)
	}
	// The PostgreSQL cluster runs as the postgres OS user when the test
	// runs as root: its directory must be reachable by that user.
	parent, err := pgcluster.MkdirTemp("loadgen-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(parent) })

	base := testkit.FreePorts(t, len(serviceOrder))
	out := &syncBuffer{}
	cmd := exec.Command(bin, "-repo-root", root, "-data-dir", filepath.Join(parent, "var"), "-issuer-port", "0", "-nats-port", "0",
		"-base-port", strconv.Itoa(base), "-seed=false", "-log-level", "warn")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	issuerLine := regexp.MustCompile(`issuer\s+(http://127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(4 * time.Minute) // building every service on a cold cache takes a while
	for {
		s := out.String()
		if m := issuerLine.FindStringSubmatch(s); m != nil && strings.Contains(s, "careweave dev stack is ready") {
			return devStack{issuer: m[1], basePort: base, out: out}
		}
		select {
		case err := <-exited:
			if strings.Contains(s, pgcluster.ErrBinariesNotFound.Error()) {
				t.Skipf("no PostgreSQL server installed: %v", err)
			}
			t.Fatalf("careweave-dev exited before it was ready: %v\n%s", err, s)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("careweave-dev not ready after 4 minutes:\n%s", s)
		}
	}
}

// syncBuffer is a buffer the stack's output goes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
