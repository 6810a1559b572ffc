// Package freeport hands out runs of TCP ports on 127.0.0.1 for a process
// to start servers on, without two processes on the machine getting the
// same run.
//
// Asking the kernel for port 0 and closing the listener races: between the
// close and the real bind, any other process may be given the same port
// (it is in the ephemeral range the kernel hands out for port 0 and for
// outgoing connections). So runs are taken below the ephemeral range, in
// blocks of BlockSize, each reserved with an exclusive flock on a file in
// /tmp/careweave-ports; the lock is held until the process exits and is
// released by the kernel even if it is killed.
package freeport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// BlockSize is the longest run one call can take.
const BlockSize = 32

// lowest is where blocks start: above the well-known and most registered
// service ports a developer's machine is likely to be running.
const lowest = 20000

var (
	mu    sync.Mutex
	held  []*os.File // the locks: open for the life of the process
	taken = map[int]bool{}
)

// Run returns the first of n consecutive ports, all free to bind on
// 127.0.0.1 now and reserved against every other caller of Run on the
// machine for as long as this process lives.
func Run(n int) (int, error) {
	if n < 1 || n > BlockSize {
		return 0, fmt.Errorf("freeport: a run of %d ports (1 to %d)", n, BlockSize)
	}
	high := ephemeralLow()
	blocks := (high - lowest) / BlockSize
	if blocks < 1 {
		return 0, fmt.Errorf("freeport: no room below the ephemeral range (starts at %d)", high)
	}
	mu.Lock()
	defer mu.Unlock()
	dir := lockDir()
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return 0, err
	}
	_ = os.Chmod(dir, 0o1777) // every user's processes lock here (works only for its owner; harmless otherwise)
	start := rand.IntN(blocks)
	for i := range blocks {
		base := lowest + ((start+i)%blocks)*BlockSize
		if taken[base] {
			continue
		}
		lock, ok := reserve(dir, base)
		if !ok {
			continue
		}
		if !bindable(base, n) { // someone outside freeport is on it
			_ = lock.Close()
			continue
		}
		taken[base] = true
		held = append(held, lock)
		return base, nil
	}
	return 0, errors.New("freeport: every block is reserved or in use")
}

// lockDir is where the blocks' lock files live: one place for the whole
// machine, not under TMPDIR, which differs between processes (a test that
// gives a child a private TMPDIR must not give it private port locks).
func lockDir() string {
	if fi, err := os.Stat("/tmp"); err == nil && fi.IsDir() {
		return "/tmp/careweave-ports"
	}
	return filepath.Join(os.TempDir(), "careweave-ports")
}

// reserve takes the lock on base's block, if no process holds it.
func reserve(dir string, base int) (*os.File, bool) {
	f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(base)+".lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, false
	}
	return f, true
}

func bindable(base, n int) bool {
	for p := base; p < base+n; p++ {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}

// ephemeralLow is the first port of the kernel's ephemeral range (32768
// where it cannot be read: Linux's and most systems' default lies above).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	low, err := strconv.Atoi(strings.Fields(string(b) + " x")[0])
	if err != nil || low <= lowest {
		return 32768
	}
	return low
}
