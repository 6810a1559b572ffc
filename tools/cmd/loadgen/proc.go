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
}

// procWatch samples the RSS of the stack's processes.
type procWatch struct {
	mu    sync.Mutex
	procs []*procStats
}

// findStack finds the processes serving the services' ports (through
// /proc/net/tcp and each process's sockets) and their parent, careweave-dev
// (which runs NATS and the token issuer in-process). It finds only this
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
