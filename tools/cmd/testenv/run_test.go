package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/kit/pgcluster"
)

// helperEnv makes the test binary act as the command testenv runs.
const helperEnv = "TESTENV_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helperMain(mode))
	}
	os.Exit(m.Run())
}

// helperMain is the command under test: "db" uses DATABASE_URL and exits 7;
// "trap" exits 42 on SIGTERM; "ignore" ignores SIGTERM until killed.
func helperMain(mode string) int {
	switch mode {
	case "db":
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		url := os.Getenv("DATABASE_URL")
		fmt.Printf("DATABASE_URL=%s\n", url)
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			fmt.Fprintln(os.Stderr, "connect:", err)
			return 1
		}
		defer conn.Close(ctx)
		var fsync string
		if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil {
			fmt.Fprintln(os.Stderr, "query:", err)
			return 1
		}
		fmt.Printf("connected fsync=%s\n", fsync)
		return 7
	case "trap":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM)
		fmt.Println("ready")
		<-sigs
		fmt.Println("got SIGTERM")
		return 42
	case "ignore":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		select {}
	default:
		fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
		return 2
	}
}

func helperCommand(mode string) []string {
	return []string{"env", helperEnv + "=" + mode, os.Args[0]}
}

func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// syncBuffer is an io.Writer that tests read while the command writes.
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

func (b *syncBuffer) waitFor(t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output did not show %q within %s; got:\n%s", want, timeout, b.String())
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("test ended while waiting for %q", want)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// privateTempDir points os.TempDir at a fresh directory the postgres OS user
// can reach, so the test can see what testenv leaves in it.
func privateTempDir(t *testing.T) string {
	t.Helper()
	dir, err := pgcluster.MkdirTemp("testenv-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	t.Setenv("TMPDIR", dir)
	return dir
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Errorf("%s still holds %v", dir, entries)
	}
}

var urlLine = regexp.MustCompile(`DATABASE_URL=(\S+)`)

// assertStopped checks that the database the command printed is gone.
func assertStopped(t *testing.T, output string) {
	t.Helper()
	m := urlLine.FindStringSubmatch(output)
	if m == nil {
		t.Fatalf("command printed no DATABASE_URL:\n%s", output)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, m[1]); err == nil {
		conn.Close(ctx)
		t.Errorf("the cluster at %s still accepts connections after testenv returned", m[1])
	}
}

func TestRunStartsThrowawayClusterForCommand(t *testing.T) {
	tmp := privateTempDir(t)
	var out syncBuffer
	code, err := run(t.Context(), Config{Command: helperCommand("db"), Stdout: &out, Stderr: &out}, testLogger(t))
	skipWithoutPostgres(t, err)
	if err != nil || code != 7 {
		t.Fatalf("run = %d, %v; want the command's exit code 7\noutput:\n%s", code, err, out.String())
	}
	if !strings.Contains(out.String(), "connected fsync=off\n") {
		t.Errorf("command did not reach a non-durable cluster:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "/postgres?sslmode=disable") {
		t.Errorf("DATABASE_URL does not name the postgres database:\n%s", out.String())
	}
	assertStopped(t, out.String())
	assertEmpty(t, tmp)
}

func TestRunKeepsGivenDirectory(t *testing.T) {
	parent := privateTempDir(t)
	dir := filepath.Join(parent, "kept")
	var out syncBuffer
	code, err := run(t.Context(), Config{Command: helperCommand("db"), Dir: dir, Durable: true, Stdout: &out, Stderr: &out}, testLogger(t))
	skipWithoutPostgres(t, err)
	if err != nil || code != 7 {
		t.Fatalf("run = %d, %v; want 7\noutput:\n%s", code, err, out.String())
	}
	if !strings.Contains(out.String(), "connected fsync=on\n") {
		t.Errorf("command did not reach a durable cluster:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		t.Errorf("cluster in -dir was not kept: %v", err)
	}
	assertStopped(t, out.String())
}

func TestRunUsesDatabaseURLFromEnvironment(t *testing.T) {
	tmp := privateTempDir(t)
	var out syncBuffer
	const url = "postgres://someone@db.example:5432/theirs"
	code, err := run(t.Context(), Config{
		Command:     []string{"sh", "-c", `echo "got $DATABASE_URL"; exit 3`},
		DatabaseURL: url,
		Stdout:      &out,
	}, testLogger(t))
	if err != nil || code != 3 {
		t.Fatalf("run = %d, %v; want the command's exit code 3", code, err)
	}
	if got := out.String(); got != "got "+url+"\n" {
		t.Errorf("command printed %q, want it to see the given DATABASE_URL", got)
	}
	assertEmpty(t, tmp)
}

func TestRunForwardsSignals(t *testing.T) {
	signals := make(chan os.Signal, 1)
	var out syncBuffer
	result := make(chan int, 1)
	go func() {
		code, err := run(t.Context(), Config{
			Command:     helperCommand("trap"),
			DatabaseURL: "postgres://unused",
			Stdout:      &out,
			Signals:     signals,
		}, testLogger(t))
		if err != nil {
			t.Errorf("run: %v", err)
		}
		result <- code
	}()
	out.waitFor(t, "ready\n", 30*time.Second)
	signals <- syscall.SIGTERM
	select {
	case code := <-result:
		if code != 42 {
			t.Errorf("exit code = %d, want 42 from the command's SIGTERM handler", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after SIGTERM")
	}
}

func TestRunKillsCommandIgnoringSignal(t *testing.T) {
	signals := make(chan os.Signal, 1)
	var out syncBuffer
	result := make(chan int, 1)
	go func() {
		code, err := run(t.Context(), Config{
			Command:     helperCommand("ignore"),
			DatabaseURL: "postgres://unused",
			Stdout:      &out,
			Signals:     signals,
			KillAfter:   200 * time.Millisecond,
		}, testLogger(t))
		if err != nil {
			t.Errorf("run: %v", err)
		}
		result <- code
	}()
	out.waitFor(t, "ready\n", 30*time.Second)
	signals <- syscall.SIGTERM
	select {
	case code := <-result:
		if code != 128+int(syscall.SIGKILL) {
			t.Errorf("exit code = %d, want %d for a killed command", code, 128+int(syscall.SIGKILL))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after killing the command")
	}
}

func TestRunInterruptedWhileStartingCluster(t *testing.T) {
	tmp := privateTempDir(t)
	signals := make(chan os.Signal, 1)
	signals <- syscall.SIGINT
	code, err := run(t.Context(), Config{Command: []string{"true"}, Signals: signals}, testLogger(t))
	if err != nil || code != 130 {
		t.Fatalf("run = %d, %v; want 130 and no error", code, err)
	}
	assertEmpty(t, tmp)
}

func TestRunReportsMissingCommand(t *testing.T) {
	code, err := run(t.Context(), Config{Command: []string{"no-such-command-anywhere"}, DatabaseURL: "postgres://unused"}, testLogger(t))
	if err == nil || code != 127 {
		t.Fatalf("run = %d, %v; want 127 and an error", code, err)
	}
}

func skipWithoutPostgres(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, pgcluster.ErrBinariesNotFound) {
		t.Skipf("no PostgreSQL server installed: %v", err)
	}
}
