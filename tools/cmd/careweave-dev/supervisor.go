package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"time"
)

// child is one running service process.
type child struct {
	name   string
	spec   childSpec
	cmd    *exec.Cmd
	stdout *lineWriter
	stderr *lineWriter
	// done is closed once the process has exited and err is set.
	done chan struct{}
	err  error
	// started is when the process started; restarts how many processes of
	// this name ran before it, crashLoop how many of those in a row died
	// young.
	started             time.Time
	restarts, crashLoop int
}

// childSpec is how to start a child, kept to start it again.
type childSpec struct {
	prefix, path string
	args, env    []string
}

// exitDescription says how the child ended, e.g. "exit status 3" or
// "signal: killed".
func (c *child) exitDescription() string {
	if c.cmd.ProcessState != nil {
		return c.cmd.ProcessState.String()
	}
	if c.err != nil {
		return c.err.Error()
	}
	return "unknown"
}

// supervisor starts child processes, reports the first that exits, and stops
// them all: SIGTERM first, SIGKILL for those still running after
// stopTimeout.
type supervisor struct {
	logger      *slog.Logger
	out         io.Writer
	stopTimeout time.Duration

	mu       sync.Mutex
	children []*child
	// exited receives every child once it has exited.
	exited chan *child
	// stopping is set once stop has begun, after which exits are expected.
	stopping bool
}

// newSupervisor returns a supervisor for at most maxChildren children.
func newSupervisor(logger *slog.Logger, out io.Writer, stopTimeout time.Duration, maxChildren int) *supervisor {
	return &supervisor{logger: logger, out: out, stopTimeout: stopTimeout, exited: make(chan *child, maxChildren)}
}

// start runs path as a child called name with the extra environment env,
// its output prefixed with prefix.
func (s *supervisor) start(name, prefix, path string, args []string, env []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.children) == cap(s.exited) {
		return fmt.Errorf("start service %s: supervisor is full (%d children)", name, cap(s.exited))
	}
	c, err := s.launch(name, childSpec{prefix: prefix, path: path, args: args, env: env}, 0)
	if err != nil {
		return err
	}
	s.children = append(s.children, c)
	return nil
}

// restart starts a fresh process in place of the exited child c, as an
// orchestrator's restart policy would.
func (s *supervisor) restart(c *child) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.children, c)
	if i < 0 {
		return fmt.Errorf("restart service %s: not one of the supervisor's current children", c.name)
	}
	next, err := s.launch(c.name, c.spec, c.restarts+1)
	if err != nil {
		return err
	}
	if diedYoung(c) {
		next.crashLoop = c.crashLoop + 1
	}
	s.children[i] = next
	return nil
}

// launch starts one process; the caller holds s.mu.
func (s *supervisor) launch(name string, spec childSpec, restarts int) (*child, error) {
	if s.stopping {
		return nil, errors.New("start service: the stack is stopping")
	}
	cmd := exec.Command(spec.path, spec.args...)
	cmd.Env = append(os.Environ(), spec.env...) // later entries win
	c := &child{
		name:     name,
		spec:     spec,
		cmd:      cmd,
		stdout:   newLineWriter(s.out, spec.prefix),
		stderr:   newLineWriter(s.out, spec.prefix),
		done:     make(chan struct{}),
		started:  time.Now(),
		restarts: restarts,
	}
	cmd.Stdout, cmd.Stderr = c.stdout, c.stderr
	cmd.SysProcAttr = childProcAttr()
	// A grandchild holding the output pipe must not block shutdown.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start service %s: %w", name, err)
	}
	s.logger.Info("service started", slog.String("service", name), slog.Int("pid", cmd.Process.Pid), slog.Int("restarts", restarts))
	go func() {
		c.err = cmd.Wait()
		c.stdout.Flush()
		c.stderr.Flush()
		close(c.done)
		s.exited <- c
	}()
	return c, nil
}

// restartDelay is how long to wait before restarting c: at once after a
// process that ran a while, then doubling (to 5 s) while it keeps dying
// young (say, while PostgreSQL is down), so a crash loop does not spin.
func restartDelay(c *child) time.Duration {
	if !diedYoung(c) {
		return 0
	}
	return min(250*time.Millisecond<<min(c.crashLoop, 5), 5*time.Second)
}

func diedYoung(c *child) bool { return time.Since(c.started) < 30*time.Second }

// Exited delivers each child that exits.
func (s *supervisor) Exited() <-chan *child { return s.exited }

// stop ends every child still running and waits for all of them.
func (s *supervisor) stop() {
	s.mu.Lock()
	s.stopping = true
	children := append([]*child(nil), s.children...)
	s.mu.Unlock()

	var running []*child
	for _, c := range children {
		select {
		case <-c.done:
			continue
		default:
		}
		s.logger.Info("stopping service", slog.String("service", c.name))
		if err := signalChild(c.cmd.Process, syscall.SIGTERM); err != nil {
			s.logger.Warn("could not signal service", slog.String("service", c.name), slog.Any("error", err))
		}
		running = append(running, c)
	}

	timer := time.NewTimer(s.stopTimeout)
	defer timer.Stop()
	expired := false
	for _, c := range running {
		if !expired {
			select {
			case <-c.done:
			case <-timer.C:
				expired = true
			}
		}
		if expired {
			select {
			case <-c.done:
			default:
				s.logger.Warn("service did not stop in time, killing it",
					slog.String("service", c.name), slog.Duration("timeout", s.stopTimeout))
				if err := signalChild(c.cmd.Process, syscall.SIGKILL); err != nil {
					s.logger.Warn("could not kill service", slog.String("service", c.name), slog.Any("error", err))
				}
				<-c.done
			}
		}
		s.logger.Info("service stopped", slog.String("service", c.name), slog.String("status", c.exitDescription()))
	}
}
