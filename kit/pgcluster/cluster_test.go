package pgcluster_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/kit/pgcluster"
)

// clusterDir returns a data directory path inside a fresh temporary
// directory that the postgres OS user can reach, removed after the test.
func clusterDir(t *testing.T) string {
	t.Helper()
	parent, err := pgcluster.MkdirTemp("pgcluster-test-*")
	if err != nil {
		t.Fatalf("make temp dir: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(parent); err != nil {
			t.Errorf("remove temp dir: %v", err)
		}
	})
	return filepath.Join(parent, "data")
}

func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startCluster starts a throwaway cluster in dir and stops it after the test.
func startCluster(t *testing.T, dir string) *pgcluster.Cluster {
	t.Helper()
	c, err := pgcluster.Start(t.Context(), pgcluster.Config{Dir: dir, Logger: testLogger(t)})
	if errors.Is(err, pgcluster.ErrBinariesNotFound) {
		t.Skipf("no PostgreSQL server installed: %v", err)
	}
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		// t.Context() is already cancelled when clean-ups run.
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("stop cluster: %v", err)
		}
	})
	return c
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStartCreateDatabaseRestartKeepsData(t *testing.T) {
	dir := clusterDir(t)
	c := startCluster(t, dir)

	if c.Port() <= 0 {
		t.Fatalf("Port() = %d, want a picked port", c.Port())
	}
	wantURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/care%%20weave?sslmode=disable", c.Port())
	if got := c.URL("care weave"); got != wantURL {
		t.Errorf("URL() = %q, want %q", got, wantURL)
	}

	const db = `care"weave`
	for range 2 { // the second call finds the database and does nothing
		if err := c.CreateDatabase(t.Context(), db); err != nil {
			t.Fatalf("CreateDatabase: %v", err)
		}
	}
	conn := connect(t, c.URL(db))
	var fsync string
	if err := conn.QueryRow(t.Context(), "SHOW fsync").Scan(&fsync); err != nil {
		t.Fatalf("show fsync: %v", err)
	}
	if fsync != "off" {
		t.Errorf("fsync = %s on a non-durable cluster, want off", fsync)
	}
	if _, err := conn.Exec(t.Context(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')"); err != nil {
		t.Fatalf("write data: %v", err)
	}
	conn.Close(t.Context())

	if err := c.Stop(t.Context()); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := c.Stop(t.Context()); err != nil {
		t.Fatalf("second stop: %v", err)
	}

	c2, err := pgcluster.Start(t.Context(), pgcluster.Config{Dir: dir, Durable: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("restart cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c2.Stop(context.Background()); err != nil {
			t.Errorf("stop restarted cluster: %v", err)
		}
	})
	conn2 := connect(t, c2.URL(db))
	var v string
	if err := conn2.QueryRow(t.Context(), "SELECT v FROM kept").Scan(&v); err != nil {
		t.Fatalf("read data after restart: %v", err)
	}
	if v != "still here" {
		t.Errorf("read %q after restart, want %q", v, "still here")
	}
	if err := conn2.QueryRow(t.Context(), "SHOW fsync").Scan(&fsync); err != nil {
		t.Fatalf("show fsync: %v", err)
	}
	if fsync != "on" {
		t.Errorf("fsync = %s on a durable cluster, want on", fsync)
	}
}

func TestStartRefusesDirectoryOfRunningServer(t *testing.T) {
	dir := clusterDir(t)
	startCluster(t, dir)

	c, err := pgcluster.Start(t.Context(), pgcluster.Config{Dir: dir, Logger: testLogger(t)})
	if err == nil {
		_ = c.Stop(t.Context())
		t.Fatal("second Start on a running cluster succeeded, want an error")
	}
	if !errors.Is(err, pgcluster.ErrAlreadyRunning) {
		t.Fatalf("second Start: %v, want ErrAlreadyRunning", err)
	}
	t.Logf("second Start: %v", err)
}

func TestStartRecoversFromStaleLockFile(t *testing.T) {
	dir := clusterDir(t)
	c := startCluster(t, dir)
	port := c.Port()
	lock, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatalf("read postmaster.pid: %v", err)
	}
	if err := c.Stop(t.Context()); err != nil {
		t.Fatalf("stop: %v", err)
	}

	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatalf("run a short-lived process: %v", err)
	}
	tests := []struct {
		name string
		pid  int
	}{
		{"dead process", dead.Process.Pid},
		{"unrelated live process", os.Getpid()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The lock file of the stopped server, but naming tt.pid.
			_, rest, _ := cutLine(lock)
			stale := append([]byte(strconv.Itoa(tt.pid)+"\n"), rest...)
			writeOwnedLike(t, filepath.Join(dir, "postmaster.pid"), stale, dir)
			c, err := pgcluster.Start(t.Context(), pgcluster.Config{Dir: dir, Port: port, Logger: testLogger(t)})
			if err != nil {
				t.Fatalf("start over a stale postmaster.pid: %v", err)
			}
			if err := c.Stop(t.Context()); err != nil {
				t.Fatalf("stop: %v", err)
			}
		})
	}
}

// writeOwnedLike writes a file owned by the owner of dir, as the server
// would have written it.
func writeOwnedLike(t *testing.T, path string, data []byte, dir string) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if err := os.Chown(path, int(st.Uid), int(st.Gid)); err != nil {
		t.Fatalf("chown %s: %v", path, err)
	}
}

func cutLine(b []byte) (line, rest []byte, found bool) {
	for i, c := range b {
		if c == '\n' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

func TestStartRejectsNonEmptyDirectoryWithoutCluster(t *testing.T) {
	dir := clusterDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := pgcluster.Start(t.Context(), pgcluster.Config{Dir: dir, Logger: testLogger(t)})
	if !errors.Is(err, pgcluster.ErrDirNotAccessible) {
		t.Fatalf("Start on a non-empty directory: %v, want ErrDirNotAccessible", err)
	}
}

func TestStartRejectsDirectoryTheServerUserCannotReach(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another user")
	}
	private := t.TempDir() // mode 0700, owned by root
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := pgcluster.Start(t.Context(), pgcluster.Config{Dir: filepath.Join(private, "data"), Logger: testLogger(t)})
	if errors.Is(err, pgcluster.ErrBinariesNotFound) {
		t.Skipf("no PostgreSQL server installed: %v", err)
	}
	if !errors.Is(err, pgcluster.ErrDirNotAccessible) {
		t.Fatalf("Start under a 0700 directory: %v, want ErrDirNotAccessible", err)
	}
	t.Logf("Start under a 0700 directory: %v", err)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     pgcluster.Config
		wantErr bool
	}{
		{"valid", pgcluster.Config{Dir: "/tmp/x"}, false},
		{"valid fixed port", pgcluster.Config{Dir: "/tmp/x", Port: 5433}, false},
		{"missing dir", pgcluster.Config{}, true},
		{"negative port", pgcluster.Config{Dir: "/tmp/x", Port: -1}, true},
		{"port too high", pgcluster.Config{Dir: "/tmp/x", Port: 70000}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

func TestInterruptedInitdbLeavesNoHalfMadeCluster(t *testing.T) {
	dir := clusterDir(t)
	staging := filepath.Join(filepath.Dir(dir), ".data.initdb")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		// Cancel as soon as initdb has begun writing the staged cluster.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(filepath.Join(staging, "PG_VERSION")); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Millisecond):
			}
		}
		cancel()
	}()
	c, err := pgcluster.Start(ctx, pgcluster.Config{Dir: dir, Logger: testLogger(t)})
	if errors.Is(err, pgcluster.ErrBinariesNotFound) {
		t.Skipf("no PostgreSQL server installed: %v", err)
	}
	if err == nil {
		_ = c.Stop(context.Background())
		t.Skip("initdb finished before it could be interrupted")
	}
	t.Logf("interrupted Start: %v", err)
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		t.Fatal("an interrupted initdb left PG_VERSION in the data directory")
	}

	startCluster(t, dir) // initialises afresh and starts
}

func TestStartWithDataDirTooLongForUnixSocket(t *testing.T) {
	parent := filepath.Dir(clusterDir(t))
	long := filepath.Join(parent, strings.Repeat("d", 60), strings.Repeat("e", 60), "data")
	if err := os.MkdirAll(filepath.Dir(long), 0o755); err != nil {
		t.Fatal(err)
	}
	c := startCluster(t, long)
	if err := c.CreateDatabase(t.Context(), "deep"); err != nil {
		t.Fatalf("CreateDatabase over TCP: %v", err)
	}
}

func TestRecoverAfterTheServerWasKilled(t *testing.T) {
	c, err := pgcluster.Start(t.Context(), pgcluster.Config{Dir: clusterDir(t), Durable: true, Logger: testLogger(t)})
	if errors.Is(err, pgcluster.ErrBinariesNotFound) {
		t.Skipf("no PostgreSQL server installed: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("stop cluster: %v", err)
		}
	})
	conn := connect(t, c.URL("postgres"))
	if _, err := conn.Exec(t.Context(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('committed before the crash')"); err != nil {
		t.Fatal(err)
	}
	pid, err := c.Postmaster()
	if err != nil || pid == 0 {
		t.Fatalf("Postmaster() = %d, %v", pid, err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := c.Recover(t.Context()); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	if again, _ := c.Postmaster(); again == 0 || again == pid {
		t.Fatalf("after Recover the postmaster is %d (killed: %d)", again, pid)
	}
	var v string
	if err := connect(t, c.URL("postgres")).QueryRow(t.Context(), "SELECT v FROM kept").Scan(&v); err != nil || v != "committed before the crash" {
		t.Fatalf("after recovery read %q, %v", v, err)
	}
}
