package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/careweave/careweave/kit/freeport"
	"github.com/careweave/careweave/kit/pgcluster"
)

// run starts the stack, runs the load with the kills, and returns loadgen's
// verdict.
func run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tmp, err := pgcluster.MkdirTemp("careweave-crashtest-*")
	if err != nil {
		return err
	}
	if cfg.Keep {
		logger.Info("keeping the test's directory", slog.String("dir", tmp))
	} else {
		defer os.RemoveAll(tmp)
	}
	bin := filepath.Join(tmp, "bin")
	logger.Info("building nats-server, careweave-dev and loadgen")
	for name, pkg := range map[string]string{"nats-server": "github.com/nats-io/nats-server/v2", "careweave-dev": "./tools/cmd/careweave-dev", "loadgen": "./tools/cmd/loadgen"} {
		build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, name), pkg)
		build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build %s: %w", name, err)
		}
	}

	pg, err := pgcluster.Start(ctx, pgcluster.Config{Dir: filepath.Join(tmp, "postgres"), Durable: true, Logger: logger})
	if err != nil {
		return err
	}
	defer func() { _ = pg.Stop(context.WithoutCancel(ctx)) }()

	ns, err := startNATS(ctx, bin, filepath.Join(tmp, "nats"), logger)
	if err != nil {
		return err
	}
	defer ns.stop()

	var bench *benchmark
	if cfg.Baselines > 0 {
		if bench, err = measureBaselines(ctx, pg.URL("postgres"), ns.url, cfg.Workers, cfg.Baselines, logger); err != nil {
			return fmt.Errorf("baselines: %w", err)
		}
		defer bench.close()
	}

	base, err := freeport.Run(8)
	if err != nil {
		return err
	}
	devDir := filepath.Join(tmp, "dev")
	dev := exec.Command(filepath.Join(bin, "careweave-dev"), "-repo-root", root, "-data-dir", devDir, "-restart", "-seed=false",
		"-base-port", strconv.Itoa(base), "-issuer-port", "0", "-log-level", "warn")
	dev.Env = append(os.Environ(), "DATABASE_URL="+pg.URL("postgres"), "NATS_URL="+ns.url, "CAREWEAVE_DATA_DIR=", "NATS_SEEDS_DIR=")
	devLog, err := os.Create(filepath.Join(tmp, "stack.log"))
	if err != nil {
		return err
	}
	defer devLog.Close()
	ready := make(chan struct{})
	pr, pw := io.Pipe()
	dev.Stdout, dev.Stderr = pw, pw
	go watchForReady(pr, devLog, ready)
	if err := dev.Start(); err != nil {
		return fmt.Errorf("start careweave-dev: %w", err)
	}
	defer func() {
		_ = dev.Process.Signal(syscall.SIGTERM)
		_ = dev.Wait()
		_ = pw.Close()
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Minute):
		return fmt.Errorf("the stack was not ready in 5 minutes; see %s", devLog.Name())
	case <-ctx.Done():
		return ctx.Err()
	}
	logger.Info("stack ready", slog.Int("base_port", base), slog.String("log", devLog.Name()))

	st := &stack{pg: pg, nats: ns, devBin: filepath.Join(devDir, "bin"), base: base, logger: logger}
	args := append([]string{"-stack-env", filepath.Join(devDir, "stack.env"), "-base-port", strconv.Itoa(base),
		"-duration", cfg.Duration.String(), "-rate", strconv.FormatFloat(cfg.Rate, 'f', -1, 64), "-patients", strconv.Itoa(cfg.Patients),
		"-workers", strconv.Itoa(cfg.Workers), "-out", filepath.Join(tmp, "loadgen-results.json")}, cfg.Loadgen...)
	load := exec.CommandContext(ctx, filepath.Join(bin, "loadgen"), args...)
	load.Stdout = os.Stdout
	loadStarted := make(chan struct{})
	// loadgen registers its patients first; the kills start with the load.
	stderr, err := load.StderrPipe()
	if err != nil {
		return err
	}
	started := sync.OnceFunc(func() { close(loadStarted) })
	go watchLoadgen(stderr, func(line string) {
		if bench != nil {
			bench.onLoadgenLine(ctx, line)
		}
		if strings.Contains(line, loadStartedLine) {
			started()
		}
	})
	if err := load.Start(); err != nil {
		return fmt.Errorf("start loadgen: %w", err)
	}
	kills := make(chan error, 1)
	go func() {
		select {
		case <-loadStarted:
			kills <- st.killInTurn(ctx, cfg.Victims, cfg.KillEvery)
		case <-ctx.Done():
			kills <- ctx.Err()
		}
	}()
	loadErr := load.Wait()
	var killErr error
	select {
	case killErr = <-kills:
	default:
		killErr = errors.New("the load ended before every victim was killed")
	}
	// The figures are reported even when verification failed: they say
	// how far behind the stack was.
	if bench != nil {
		if err := bench.report(os.Stdout, filepath.Join(tmp, "loadgen-results.json"), cfg.Out); err != nil {
			return errors.Join(fmt.Errorf("benchmark report: %w", err), loadErr)
		}
		logger.Info("benchmark results written", slog.String("file", cfg.Out))
	}
	if loadErr != nil {
		return fmt.Errorf("loadgen: %w (the stack's log: %s)", loadErr, devLog.Name())
	}
	return killErr
}

// watchForReady copies careweave-dev's output to the log and closes ready
// when it says the stack is ready.
func watchForReady(r io.Reader, log io.Writer, ready chan<- struct{}) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	signalled := false
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(log, line)
		if !signalled && strings.Contains(line, "careweave dev stack is ready") {
			close(ready)
			signalled = true
		}
	}
	_, _ = io.Copy(log, r)
}

// watchLoadgen passes loadgen's standard error on, showing each line to
// on (which learns from it when the measured load starts and ends).
func watchLoadgen(r io.Reader, on func(line string)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		on(line)
	}
}

// loadStartedLine is what loadgen prints when the measured load begins.
const loadStartedLine = "driving the stack"

// repoRoot is the nearest directory above the working directory that holds
// go.work.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run crashtest inside the repository (no go.work above the working directory)")
		}
		dir = parent
	}
}

// healthy reports whether url answers 200.
func healthy(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
