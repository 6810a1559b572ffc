package freeport

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

func TestRunsAreFreeDistinctAndBelowTheEphemeralRange(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		base, err := Run(BlockSize)
		if err != nil {
			t.Fatal(err)
		}
		if base < lowest || base+BlockSize > ephemeralLow() || seen[base] {
			t.Fatalf("run at %d (seen before: %v, ephemeral range from %d)", base, seen[base], ephemeralLow())
		}
		seen[base] = true
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base+BlockSize-1)))
		if err != nil {
			t.Fatalf("the run's last port: %v", err)
		}
		_ = l.Close()
	}
	if _, err := Run(BlockSize + 1); err == nil {
		t.Fatal("a run longer than a block was given")
	}
}

// Another process cannot take a block this one holds.
func TestABlockIsReservedAgainstOtherProcesses(t *testing.T) {
	if b := os.Getenv("FREEPORT_HELD"); b != "" {
		base, _ := strconv.Atoi(b)
		dir := lockDir()
		if _, ok := reserve(dir, base); ok {
			t.Fatalf("block %d, held by the parent, was reserved again", base)
		}
		return
	}
	mine, err := Run(4)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestABlockIsReservedAgainstOtherProcesses$", "-test.v")
	cmd.Env = append(os.Environ(), "FREEPORT_HELD="+strconv.Itoa(mine))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}
