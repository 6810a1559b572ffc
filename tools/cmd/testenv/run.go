package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/careweave/careweave/kit/pgcluster"
)

const (
	// stopTimeout bounds stopping the cluster after the command.
	stopTimeout = time.Minute
	// testDatabase is the database DATABASE_URL names in the private cluster;
	// tests create their own databases or schemas from it.
	testDatabase = "postgres"
)

// run runs cfg.Command against cfg.DatabaseURL, or against a private
// cluster it starts and stops around the command, and returns the command's
// exit code. An error means testenv itself failed; the code is then the
// command's when it ran, else non-zero.
func run(ctx context.Context, cfg Config, logger *slog.Logger) (code int, err error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return 2, fmt.Errorf("invalid configuration: %w", err)
	}
	if cfg.DatabaseURL != "" {
		logger.Info("DATABASE_URL is set; running the command against it, without a private cluster")
		return runCommand(cfg, cfg.DatabaseURL, logger)
	}

	dir := cfg.Dir
	if dir == "" {
		parent, err := pgcluster.MkdirTemp("careweave-testenv-*")
		if err != nil {
			return 1, err
		}
		defer func() {
			if rmErr := os.RemoveAll(parent); rmErr != nil {
				err = errors.Join(err, fmt.Errorf("remove temporary cluster directory: %w", rmErr))
			}
		}()
		dir = filepath.Join(parent, "postgres")
	}

	cluster, sig, err := startCluster(ctx, cfg, dir, logger)
	if cluster != nil {
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
			defer cancel()
			if stopErr := cluster.Stop(stopCtx); stopErr != nil {
				err = errors.Join(err, stopErr)
			}
		}()
	}
	if sig != nil {
		return signalExitCode(sig), nil
	}
	if err != nil {
		return 1, fmt.Errorf("start private PostgreSQL (or set DATABASE_URL to use a running server): %w", err)
	}
	logger.Info("private PostgreSQL started", slog.String("url", cluster.URL(testDatabase)),
		slog.String("data_dir", dir), slog.Bool("durable", cfg.Durable))
	return runCommand(cfg, cluster.URL(testDatabase), logger)
}

// startCluster starts the cluster in dir, giving up when a signal arrives
// meanwhile, in which case it returns that signal. The cluster, when
// returned, must be stopped.
func startCluster(ctx context.Context, cfg Config, dir string, logger *slog.Logger) (*pgcluster.Cluster, os.Signal, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	startDone := make(chan struct{})
	interrupted := make(chan os.Signal, 1)
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		select {
		case sig := <-cfg.Signals:
			logger.Info("interrupted while starting PostgreSQL", slog.String("signal", sig.String()))
			interrupted <- sig
			cancel()
		case <-startDone:
		}
	}()
	cluster, err := pgcluster.Start(ctx, pgcluster.Config{Dir: dir, Durable: cfg.Durable, Logger: logger.With(slog.String("component", "postgres"))})
	close(startDone)
	<-watchDone
	select {
	case sig := <-interrupted:
		return cluster, sig, nil
	default:
		return cluster, nil, err
	}
}

// runCommand runs the command with DATABASE_URL set to dbURL and returns its
// exit code, passing on every signal from cfg.Signals and killing the command
// when it has not exited cfg.KillAfter after the first.
func runCommand(cfg Config, dbURL string, logger *slog.Logger) (int, error) {
	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL) // later entries win
	cmd.Stdin, cmd.Stdout, cmd.Stderr = cfg.Stdin, cfg.Stdout, cfg.Stderr
	if err := cmd.Start(); err != nil {
		code := 1
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = 127 // as a shell reports a missing command
		}
		return code, fmt.Errorf("start command %q: %w", cfg.Command[0], err)
	}

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var kill <-chan time.Time
	for {
		select {
		case waitErr := <-done:
			return exitCode(cmd.ProcessState, waitErr)
		case sig := <-cfg.Signals:
			logger.Info("passing signal on to the command", slog.String("signal", sig.String()))
			if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
				logger.Warn("could not signal the command", slog.Any("error", err))
			}
			if kill == nil {
				timer := time.NewTimer(cfg.KillAfter)
				defer timer.Stop()
				kill = timer.C
			}
		case <-kill:
			logger.Warn("command still running after the signal, killing it", slog.Duration("waited", cfg.KillAfter))
			if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
				logger.Warn("could not kill the command", slog.Any("error", err))
			}
			kill = nil
		}
	}
}

// exitCode turns how the command ended into this process's exit code; a
// command killed by a signal gives 128 plus the signal number, as in a shell.
func exitCode(state *os.ProcessState, waitErr error) (int, error) {
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		code := 1
		if state != nil && state.ExitCode() > 0 {
			code = state.ExitCode()
		}
		return code, fmt.Errorf("wait for command: %w", waitErr)
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return state.ExitCode(), nil
}

// signalExitCode is the exit code of a process ended by sig, as in a shell.
func signalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}
