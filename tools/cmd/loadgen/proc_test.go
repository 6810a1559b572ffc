package main

import (
	"os"
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
