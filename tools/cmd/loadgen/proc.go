package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// procStats is the memory of one stack process, in MB.
type procStats struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
	// WarmRSS is the RSS after the warm-up, FinalRSS at the end of the
	// run, PeakRSS the largest seen once a second during it, and HWM the
	// kernel's high-water mark (VmHWM) at the end: the peak since the
	// process started.
	WarmRSS  float64 `json:"warmRssMB"`
	FinalRSS float64 `json:"finalRssMB"`
	PeakRSS  float64 `json:"peakRssMB"`
	HWM      float64 `json:"hwmMB"`
	// CPU is the CPU time the process used while commands were sent and
	// their followers waited, in seconds (for PostgreSQL: the cluster's
	// processes, exited backends included).
	CPU float64 `json:"cpuSeconds"`
	// Replaced says the process died during the run (the crash test kills
	// it); its CPU, and its RSS after that, are not known.
	Replaced bool `json:"replacedDuringRun,omitempty"`
	cpuStart float64
	started  string // its start time (proc(5) starttime): another process may get its pid
	cluster  bool   // a postmaster: count its children too
}

// procWatch samples the RSS and CPU of the stack's processes.
type procWatch struct {
	mu    sync.Mutex
	procs []*procStats
	// Machine is every CPU's busy time over the same window, and Self
	// loadgen's own, in seconds.
	Machine, Self           float64
	machineStart, selfStart float64
}

// findStack finds the processes serving the services' ports (through
// /proc/net/tcp and each process's sockets), their parent, careweave-dev
// (which runs NATS and the token issuer in-process), PostgreSQL's cluster
// and a NATS server of the stack's own. It finds only this
// user's processes, which is what make run starts.
func findStack(cfg Config) (*procWatch, error) {
	inodes := map[string]string{} // socket inode → service
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if err := listeners(f, cfg, inodes); err != nil {
			return nil, err
		}
	}
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return nil, err
	}
	w := &procWatch{}
	parents := map[int]bool{}
	for _, dir := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(dir))
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			continue // not ours, or gone
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(dir, "fd", fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if svc, ok := inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")]; ok {
				w.procs = append(w.procs, &procStats{Name: svc, PID: pid})
				if st, err := readStatus(pid); err == nil {
					parents[int(st["PPid"])] = true
				}
				break
			}
		}
	}
	if len(w.procs) == 0 {
		return w, fmt.Errorf("no process of this user listens on the services' ports %d-%d", cfg.BasePort, cfg.BasePort+len(serviceOrder)-1)
	}
	if pid := listenerPID(cfg.DatabasePort); pid > 0 {
		w.procs = append(w.procs, &procStats{Name: "postgres (cluster)", PID: pid, cluster: true})
	}
	// A NATS server of its own (the crash test's nats-server); the
	// embedded one is careweave-dev's, counted below.
	if pid := listenerPID(cfg.NATSPort); pid > 0 && !parents[pid] {
		w.procs = append(w.procs, &procStats{Name: "nats-server", PID: pid})
	}
	for ppid := range parents {
		if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", ppid)); err == nil && strings.HasPrefix(strings.TrimSpace(string(comm)), "careweave-dev") {
			w.procs = append(w.procs, &procStats{Name: "careweave-dev (NATS, issuer)", PID: ppid})
		}
	}
	slices.SortFunc(w.procs, func(a, b *procStats) int { return strings.Compare(a.Name, b.Name) })
	return w, nil
}

// listeners adds the inodes of the sockets listening on the services'
// ports in a /proc/net/tcp file.
func listeners(file string, cfg Config, inodes map[string]string) error {
	f, err := os.Open(file)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
			continue
		}
		_, portHex, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		port, err := strconv.ParseInt(portHex, 16, 32)
		if err != nil {
			continue
		}
		if i := int(port) - cfg.BasePort; i >= 0 && i < len(serviceOrder) {
			inodes[fields[9]] = serviceOrder[i]
		}
	}
	return sc.Err()
}

// readStatus returns the numeric fields of /proc/<pid>/status (kB for the
// Vm ones).
func readStatus(pid int) (map[string]int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64); err == nil {
			out[k] = n
		}
	}
	return out, sc.Err()
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// sample reads every process's RSS, keeps the peaks and returns the total
// in MB.
func (w *procWatch) sample() float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	total := 0.0
	for _, p := range w.procs {
		st, err := readStatus(p.PID)
		if err != nil {
			continue
		}
		p.FinalRSS, p.HWM = mb(st["VmRSS"]), mb(st["VmHWM"])
		p.PeakRSS = max(p.PeakRSS, p.FinalRSS)
		total += p.FinalRSS
	}
	return total
}

// markWarm keeps the RSS after the warm-up.
func (w *procWatch) markWarm() {
	w.sample()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.procs {
		p.WarmRSS = p.FinalRSS
	}
}

func (w *procWatch) result() []procStats {
	w.sample()
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]procStats, len(w.procs))
	for i, p := range w.procs {
		out[i] = *p
	}
	return out
}

// listenerPID is the process listening on port (any user's, where /proc
// lets us see its sockets), or 0.
func listenerPID(port int) int {
	if port == 0 {
		return 0
	}
	inodes := map[string]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n") {
			fields := strings.Fields(line)
			if len(fields) < 10 || fields[3] != "0A" {
				continue
			}
			if _, portHex, ok := strings.Cut(fields[1], ":"); ok {
				if p, err := strconv.ParseInt(portHex, 16, 32); err == nil && int(p) == port {
					inodes[fields[9]] = true
				}
			}
		}
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, _ := os.Readlink(filepath.Join(dir, "fd", fd.Name()))
			if inode, ok := strings.CutPrefix(link, "socket:["); ok && inodes[strings.TrimSuffix(inode, "]")] {
				pid, _ := strconv.Atoi(filepath.Base(dir))
				return pid
			}
		}
	}
	return 0
}

// clockTick is the kernel's USER_HZ, in which /proc reports CPU time.
const clockTick = 100.0

// cpuOf is pid's CPU time in seconds: user and system, and with children
// its reaped children's and its live children's too.
func cpuOf(pid int, children bool) float64 {
	f := statFields(pid)
	if len(f) < 16 {
		return 0
	}
	t := tick(f[12]) + tick(f[13]) // utime, stime
	if !children {
		return t
	}
	t += tick(f[14]) + tick(f[15]) // cutime, cstime: exited backends
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		child, _ := strconv.Atoi(filepath.Base(dir))
		if cf := statFields(child); len(cf) > 13 && cf[2] == strconv.Itoa(pid) { // ppid
			t += tick(cf[12]) + tick(cf[13])
		}
	}
	return t
}

// startTime is when pid started (in clock ticks since boot), or "" if it
// has gone.
func startTime(pid int) string {
	if f := statFields(pid); len(f) > 20 {
		return f[20]
	}
	return ""
}

// statFields are /proc/<pid>/stat's fields, the command name (which may
// hold spaces) counted as one.
func statFields(pid int) []string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(raw)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return nil
	}
	// [0] is "pid (comm)"; field k of proc(5), from 3 (state) on, is [k-2].
	return append([]string{s[:end+1]}, strings.Fields(s[end+1:])...)
}

func tick(s string) float64 {
	n, _ := strconv.ParseFloat(s, 64)
	return n / clockTick
}

// machineBusy is the time every CPU spent on anything but idling and
// waiting for I/O, in seconds.
func machineBusy() float64 {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line)
	busy := 0.0
	for i, f := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		busy += tick(f)
	}
	return busy
}

// startCPU marks the start of the CPU window.
func (w *procWatch) startCPU() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.procs {
		p.cpuStart, p.started = cpuOf(p.PID, p.cluster), startTime(p.PID)
	}
	w.machineStart, w.selfStart = machineBusy(), cpuOf(os.Getpid(), false)
}

// stopCPU ends the CPU window.
func (w *procWatch) stopCPU() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.procs {
		if st := startTime(p.PID); st == "" || st != p.started {
			p.Replaced, p.CPU = true, 0
			continue
		}
		p.CPU = cpuOf(p.PID, p.cluster) - p.cpuStart
	}
	w.Machine, w.Self = machineBusy()-w.machineStart, cpuOf(os.Getpid(), false)-w.selfStart
}
