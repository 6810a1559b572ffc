package main

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// The CPU figures read the right fields of /proc/<pid>/stat: this process's
// parent is its ppid, and burning CPU shows in its utime+stime.
func TestCPUAccountingReadsProcStat(t *testing.T) {
	f := statFields(os.Getpid())
	if len(f) < 16 || f[2] != strconv.Itoa(os.Getppid()) {
		t.Fatalf("stat fields %q: ppid should be %d", f, os.Getppid())
	}
	before := cpuOf(os.Getpid(), false)
	x := 0
	for cpuOf(os.Getpid(), false)-before < 0.05 {
		for i := range 1_000_000 {
			x += i
		}
	}
	if x == 0 || machineBusy() <= 0 {
		t.Fatal("no machine CPU time")
	}
}

// A process that dies in the window (the crash test kills it) is reported
// as replaced, not with the CPU of whatever has its pid, or a negative
// difference.
func TestAProcessKilledInTheWindowIsReportedReplaced(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &procWatch{procs: []*procStats{{Name: "victim", PID: cmd.Process.Pid}, {Name: "self", PID: os.Getpid()}}}
	w.startCPU()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	w.stopCPU()
	if r := w.result(); !r[0].Replaced || r[0].CPU != 0 || r[1].Replaced {
		t.Fatalf("after the kill: %+v", r)
	}
}
