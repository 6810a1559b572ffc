package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/careweave/careweave/kit/freeport"
	"github.com/careweave/careweave/kit/pgcluster"
)

// natsProcess is nats-server run as a child, so it can be killed.
type natsProcess struct {
	bin, dir string
	port     int
	url      string
	cmd      *exec.Cmd
	logger   *slog.Logger
}

func startNATS(ctx context.Context, bin, dir string, logger *slog.Logger) (*natsProcess, error) {
	port, err := freeport.Run(1)
	if err != nil {
		return nil, err
	}
	n := &natsProcess{bin: filepath.Join(bin, "nats-server"), dir: dir, port: port, url: fmt.Sprintf("nats://127.0.0.1:%d", port), logger: logger}
	return n, n.start(ctx)
}

// start runs the server on its port and store, and waits until it listens.
func (n *natsProcess) start(ctx context.Context) error {
	log, err := os.OpenFile(filepath.Join(filepath.Dir(n.dir), "nats.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	n.cmd = exec.Command(n.bin, "-js", "-sd", n.dir, "-a", "127.0.0.1", "-p", strconv.Itoa(n.port), "-n", "crashtest")
	n.cmd.Stdout, n.cmd.Stderr = log, log
	if err := n.cmd.Start(); err != nil {
		return fmt.Errorf("start nats-server: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port)), time.Second)
		if err == nil {
			_ = c.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("nats-server did not listen on %d: %w", n.port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (n *natsProcess) kill() error {
	if err := n.cmd.Process.Kill(); err != nil {
		return err
	}
	_ = n.cmd.Wait()
	return nil
}

func (n *natsProcess) stop() {
	if n.cmd != nil && n.cmd.ProcessState == nil {
		_ = n.cmd.Process.Signal(syscall.SIGTERM)
		_ = n.cmd.Wait()
	}
}

// stack is what crashtest may kill.
type stack struct {
	pg     *pgcluster.Cluster
	nats   *natsProcess
	devBin string // where careweave-dev put the binaries it runs
	base   int    // careweave-dev's -base-port
	logger *slog.Logger
}

// portOrder is careweave-dev's: the services take consecutive ports from
// -base-port in this order (its portOrder, then the rest by name).
var portOrder = []string{"carehomes", "discharge", "homevisits", "medreviews", "patients", "projector", "query", "notify"}

// killInTurn kills each victim every interval, waits until it serves
// again, and says how long that took.
func (s *stack) killInTurn(ctx context.Context, victims []string, every time.Duration) error {
	for _, v := range victims {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
		start := time.Now()
		pid, err := s.kill(ctx, v)
		if err != nil {
			return fmt.Errorf("kill %s: %w", v, err)
		}
		s.logger.Warn("killed -9", slog.String("victim", v), slog.Int("pid", pid))
		if err := s.recover(ctx, v); err != nil {
			return fmt.Errorf("%s did not come back: %w", v, err)
		}
		s.logger.Warn("serving again", slog.String("victim", v), slog.Duration("after", time.Since(start).Round(time.Millisecond)))
	}
	return nil
}

// kill sends SIGKILL to the victim's process and returns its pid.
func (s *stack) kill(ctx context.Context, victim string) (int, error) {
	switch victim {
	case "nats":
		pid := s.nats.cmd.Process.Pid
		return pid, s.nats.kill()
	case "postgres":
		pid, err := s.pg.Postmaster()
		if err != nil || pid == 0 {
			return 0, fmt.Errorf("no postmaster running (%v)", err)
		}
		return pid, syscall.Kill(pid, syscall.SIGKILL)
	}
	pid, err := pidOf(filepath.Join(s.devBin, victim))
	if err != nil {
		return 0, err
	}
	return pid, syscall.Kill(pid, syscall.SIGKILL)
}

// recover brings the victim back, as its orchestrator would (careweave-dev
// restarts the services itself), and waits until every service is healthy.
func (s *stack) recover(ctx context.Context, victim string) error {
	switch victim {
	case "nats":
		time.Sleep(time.Second) // the time an orchestrator takes to notice
		if err := s.nats.start(ctx); err != nil {
			return err
		}
	case "postgres":
		time.Sleep(time.Second)
		if err := s.pg.Recover(ctx); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for i, name := range portOrder {
		url := fmt.Sprintf("http://127.0.0.1:%d/readyz", s.base+i)
		for !healthy(ctx, url) {
			if time.Now().After(deadline) {
				return fmt.Errorf("%s (%s) not ready after 2 minutes", name, url)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// pidOf finds the running process whose executable is path.
func pidOf(path string) (int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == path {
			pids = append(pids, pid)
		}
	}
	if len(pids) != 1 {
		return 0, fmt.Errorf("%d processes run %s, want 1", len(pids), path)
	}
	return pids[0], nil
}
