package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/careweave/careweave/kit/freeport"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// superuser is the role initdb creates; authentication is trust, on
	// 127.0.0.1 only.
	superuser = "postgres"
	// maintenanceDB is the database that always exists.
	maintenanceDB = "postgres"
	// readyTimeout bounds the wait for a started server to accept
	// connections when ctx has no earlier deadline.
	readyTimeout = 60 * time.Second
	// stopTimeout bounds pg_ctl stop and the clean-up after a failed start.
	stopTimeout = 60 * time.Second
	// portAttempts is how often a start on a picked free port is tried when
	// another process grabbed the port in between.
	portAttempts = 3
	// maxSocketDirLen keeps <dir>/.s.PGSQL.<port> within the 107 bytes a Unix
	// socket path may have.
	maxSocketDirLen = 107 - len("/.s.PGSQL.65535")
)

// Cluster is a running private PostgreSQL cluster started by [Start].
type Cluster struct {
	dir     string
	port    int
	durable bool
	run     runner
	logger  *slog.Logger

	mu      sync.Mutex
	stopped bool
}

// Start starts the cluster in cfg.Dir, creating it first when the directory
// holds none, and returns once the server accepts connections. The server
// keeps running, even after this process exits, until [Cluster.Stop] is
// called.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid pgcluster config: %w", err)
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("resolve data directory: %w", err)
	}
	binDir, err := findBinDir(ctx, cfg.BinDir, defaultBinSearch())
	if err != nil {
		return nil, fmt.Errorf("find PostgreSQL server binaries: %w", err)
	}
	run, err := newRunner(binDir)
	if err != nil {
		return nil, fmt.Errorf("prepare to run PostgreSQL: %w", err)
	}
	logger := cfg.Logger.With(slog.String("data_dir", dir))

	initialized, err := run.prepareDir(dir)
	if err != nil {
		return nil, fmt.Errorf("prepare data directory: %w", err)
	}
	c := &Cluster{dir: dir, durable: cfg.Durable, run: run, logger: logger}
	if initialized {
		pid, err := livePostmaster(dir, logger)
		if err != nil {
			return nil, fmt.Errorf("check for a running server: %w", err)
		}
		if pid != 0 {
			return nil, fmt.Errorf("%w (pid %d, %s), probably left by an earlier run that did not stop it; stop it with: %s",
				ErrAlreadyRunning, pid, dir, run.describe("pg_ctl", "-D", dir, "-m", "fast", "stop"))
		}
	} else {
		if err := c.initdb(ctx, cfg.Durable); err != nil {
			return nil, err
		}
	}

	for attempt := 1; ; attempt++ {
		port := cfg.Port
		if port == 0 {
			if port, err = freeport.Run(1); err != nil {
				return nil, err
			}
		}
		c.port = port
		err := c.start(ctx, cfg.Durable)
		if err == nil {
			break
		}
		if cfg.Port == 0 && attempt < portAttempts && errors.Is(err, errPortTaken) && ctx.Err() == nil {
			logger.Info("picked port was taken meanwhile, retrying on another", slog.Int("port", port))
			continue
		}
		return nil, err
	}

	if err := c.waitReady(ctx); err != nil {
		c.abort()
		return nil, err
	}
	logger.Info("postgres cluster started", slog.Int("port", c.port), slog.Bool("durable", cfg.Durable), slog.String("bin_dir", binDir))
	return c, nil
}

// Postmaster returns the pid of the running server, 0 if none runs.
func (c *Cluster) Postmaster() (int, error) { return livePostmaster(c.dir, c.logger) }

// Recover starts the server again on the same port after it died (the crash
// test kills it): PostgreSQL replays its write-ahead log and then accepts
// connections. It retries while the dead server's backends are still
// leaving, up to ctx's deadline or a minute.
func (c *Cluster) Recover(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		pid, err := c.Postmaster()
		if err != nil {
			return err
		}
		if pid == 0 {
			if err = c.start(ctx, c.durable); err == nil {
				c.mu.Lock()
				c.stopped = false // start's clean-up of a failed try marks it stopped
				c.mu.Unlock()
				return c.waitReady(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("recover postgres: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Port returns the TCP port the server listens on, on 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// Dir returns the absolute path of the cluster's data directory.
func (c *Cluster) Dir() string { return c.dir }

// LogFile returns the path of the server's log file.
func (c *Cluster) LogFile() string { return filepath.Join(c.dir, "server.log") }

// URL returns a connection URL for database as the superuser, which needs no
// password.
func (c *Cluster) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// CreateDatabase creates the database called name unless it exists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("create database: name is empty")
	}
	conn, err := pgx.Connect(ctx, c.URL(maintenanceDB))
	if err != nil {
		return fmt.Errorf("connect to create database %q: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("check whether database %q exists: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created meanwhile
			return nil
		}
		return fmt.Errorf("create database %q: %w", name, err)
	}
	c.logger.Info("database created", slog.String("database", name))
	return nil
}

// Stop stops the server with pg_ctl's fast mode: open sessions are ended and
// the data is flushed. Stopping a stopped cluster does nothing.
func (c *Cluster) Stop(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, stopTimeout)
	defer cancel()
	out, err := c.run.command(ctx, "pg_ctl", "-D", c.dir, "-m", "fast", "-w", "-t", strconv.Itoa(int(stopTimeout/time.Second)), "stop").CombinedOutput()
	if err != nil {
		if pid, checkErr := livePostmaster(c.dir, c.logger); checkErr == nil && pid == 0 {
			c.stopped = true
			return nil
		}
		return fmt.Errorf("stop postgres in %s: %w: %s", c.dir, err, trimOutput(out))
	}
	c.stopped = true
	c.logger.Info("postgres cluster stopped")
	return nil
}

// initdb creates the cluster. It runs initdb in a sibling directory and
// renames that into place once complete, so an initdb interrupted even by
// SIGKILL never leaves a half-made cluster that a later start would take for
// a real one. Where the rename cannot work (the data directory is a mount
// point, or its parent is not writable), initdb runs in place.
func (c *Cluster) initdb(ctx context.Context, durable bool) error {
	c.logger.Info("initialising postgres cluster")
	staging := filepath.Join(filepath.Dir(c.dir), "."+filepath.Base(c.dir)+".initdb")
	if err := os.RemoveAll(staging); err != nil { // left by an interrupted run
		return fmt.Errorf("remove leftover %s: %w", staging, err)
	}
	if err := c.run.makeServerDir(staging); err == nil {
		err := c.runInitdb(ctx, staging, durable)
		if err != nil {
			_ = os.RemoveAll(staging)
			return err
		}
		// The data directory is empty here; os.Rename will not replace a
		// directory, so remove it first.
		err = os.Remove(c.dir)
		if err == nil {
			err = os.Rename(staging, c.dir)
			if err == nil {
				return nil
			}
			if mkErr := c.run.makeServerDir(c.dir); mkErr != nil {
				return errors.Join(fmt.Errorf("move the new cluster into place: %w", err), mkErr)
			}
		}
		c.logger.Debug("could not move the new cluster into place, initialising in place", slog.Any("error", err))
		if err := os.RemoveAll(staging); err != nil {
			return fmt.Errorf("remove %s: %w", staging, err)
		}
	}
	return c.runInitdb(ctx, c.dir, durable)
}

func (c *Cluster) runInitdb(ctx context.Context, dir string, durable bool) error {
	args := []string{"-D", dir, "-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=C"}
	if !durable {
		args = append(args, "--no-sync")
	}
	out, err := c.run.command(ctx, "initdb", args...).CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("initialise cluster with initdb: %w", ctx.Err())
		}
		return fmt.Errorf("initialise cluster with initdb: %w: %s", err, trimOutput(out))
	}
	c.logger.Debug("initdb finished", slog.String("output", string(out)))
	return nil
}

// errPortTaken marks a start that failed because the port was in use.
var errPortTaken = errors.New("port already in use")

func (c *Cluster) start(ctx context.Context, durable bool) error {
	opts := []string{
		"-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=200",
	}
	// Sockets go in the data directory, so the server needs nothing outside
	// it; when the path cannot hold a socket, the server listens on TCP only.
	if len(c.dir) <= maxSocketDirLen && !strings.ContainsAny(c.dir, ",\"' \t\n\\$`") {
		opts = append(opts, "-c", "unix_socket_directories="+c.dir)
	} else {
		opts = append(opts, "-c", "unix_socket_directories=")
	}
	if !durable {
		opts = append(opts, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	// pg_ctl hands -o to a shell.
	quoted := make([]string, len(opts))
	for i, o := range opts {
		quoted[i] = shellQuote(o)
	}

	logFile := c.LogFile()
	logOffset := fileSize(logFile)
	c.logger.Debug("starting postgres", slog.Int("port", c.port))
	out, err := c.run.command(ctx, "pg_ctl", "-D", c.dir, "-l", logFile, "-w", "-t", strconv.Itoa(int(readyTimeout/time.Second)),
		"-o", strings.Join(quoted, " "), "start").CombinedOutput()
	if err == nil {
		return nil
	}
	c.abort()
	if ctx.Err() != nil {
		return fmt.Errorf("start postgres with pg_ctl: %w", ctx.Err())
	}
	serverLog := logTail(logFile, logOffset)
	startErr := fmt.Errorf("start postgres on port %d with pg_ctl: %w: %s; server log %s: %s", c.port, err, trimOutput(out), logFile, serverLog)
	if strings.Contains(serverLog, "could not bind") || strings.Contains(serverLog, "already in use") {
		return errors.Join(errPortTaken, startErr)
	}
	return startErr
}

func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		attemptCtx, attemptCancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(attemptCtx, c.URL(maintenanceDB))
		if err == nil {
			err = conn.Ping(attemptCtx)
			conn.Close(attemptCtx)
		}
		attemptCancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres on port %d to accept connections: %w (last error: %v)", c.port, ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// abort stops a server whose start failed part way, if it runs at all.
func (c *Cluster) abort() {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if pid, err := livePostmaster(c.dir, c.logger); err != nil || pid == 0 {
		return
	}
	out, err := c.run.command(ctx, "pg_ctl", "-D", c.dir, "-m", "immediate", "-w", "stop").CombinedOutput()
	if err != nil {
		c.logger.Warn("could not stop postgres after a failed start", slog.Any("error", err), slog.String("output", trimOutput(out)))
	}
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logTail returns the last lines the server wrote to path after offset.
func logTail(path string, offset int64) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	if offset > 0 && offset <= int64(len(data)) {
		data = data[offset:]
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "(empty)"
	}
	return strings.Join(lines, " | ")
}

func trimOutput(out []byte) string {
	s := string(bytes.TrimSpace(out))
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	if s == "" {
		return "(no output)"
	}
	return strings.ReplaceAll(s, "\n", " | ")
}
