package main

import (
	"strings"
	"testing"
	"time"
)

func startShell(t *testing.T, s *supervisor, name, script string) {
	t.Helper()
	if err := s.start(name, name+" | ", "/bin/sh", []string{"-c", script}, []string{"GREETING=hello from env"}); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
}

func TestSupervisorReportsUnexpectedExit(t *testing.T) {
	var out syncBuffer
	s := newSupervisor(testLogger(t), &out, 5*time.Second, 2)
	t.Cleanup(s.stop)
	startShell(t, s, "steady", `trap 'echo bye; exit 0' TERM; echo "$GREETING"; while :; do sleep 0.05; done`)
	startShell(t, s, "crashy", `echo about to fail; exit 3`)

	select {
	case c := <-s.Exited():
		if c.name != "crashy" {
			t.Fatalf("child %s exited (%s), want crashy", c.name, c.exitDescription())
		}
		if got := c.exitDescription(); got != "exit status 3" {
			t.Errorf("exit description = %q, want %q", got, "exit status 3")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no child exited")
	}
	out.waitFor(t, "steady | hello from env\n", 10*time.Second)
	s.stop()
	out.waitFor(t, "steady | bye\n", time.Second)
	if !strings.Contains(out.String(), "crashy | about to fail\n") {
		t.Errorf("output lacks the crashed child's line:\n%s", out.String())
	}
}

func TestSupervisorKillsChildIgnoringTerm(t *testing.T) {
	var out syncBuffer
	const timeout = 300 * time.Millisecond
	s := newSupervisor(testLogger(t), &out, timeout, 1)
	startShell(t, s, "stubborn", `trap '' TERM; echo ready; while :; do sleep 0.05; done`)
	out.waitFor(t, "stubborn | ready\n", 10*time.Second)

	start := time.Now()
	s.stop()
	if elapsed := time.Since(start); elapsed < timeout || elapsed > 10*time.Second {
		t.Errorf("stop took %s, want just over %s", elapsed, timeout)
	}
	c := s.children[0]
	if got := c.exitDescription(); got != "signal: killed" {
		t.Errorf("exit description = %q, want %q", got, "signal: killed")
	}
}

func TestSupervisorRefusesStartAfterStop(t *testing.T) {
	s := newSupervisor(testLogger(t), &syncBuffer{}, time.Second, 1)
	s.stop()
	if err := s.start("late", "late | ", "/bin/true", nil, nil); err == nil {
		t.Fatal("start after stop succeeded, want an error")
	}
}

func TestSupervisorRestartsAnExitedChildWithItsSettings(t *testing.T) {
	var out syncBuffer
	s := newSupervisor(testLogger(t), &out, 5*time.Second, 1)
	t.Cleanup(s.stop)
	startShell(t, s, "crashy", `echo "$GREETING"; exit 3`)
	var c *child
	for run := range 3 {
		select {
		case c = <-s.Exited():
		case <-time.After(30 * time.Second):
			t.Fatalf("run %d never exited", run)
		}
		if c.restarts != run || c.crashLoop != run {
			t.Fatalf("run %d: restarts %d, crash loop %d", run, c.restarts, c.crashLoop)
		}
		if run < 2 {
			if err := s.restart(c); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := strings.Count(out.String(), "crashy | hello from env\n"); n != 3 {
		t.Errorf("the child ran %d times with its environment, want 3:\n%s", n, out.String())
	}
	// A child dying young again waits longer each time, up to 5 s.
	if d := restartDelay(c); d != time.Second {
		t.Errorf("restart delay after the third quick death = %v, want 1s", d)
	}
	s.stop()
	if err := s.restart(c); err == nil {
		t.Error("a stopping supervisor restarted a child")
	}
}
