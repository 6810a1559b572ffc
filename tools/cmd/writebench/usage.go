package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// clockTicks is USER_HZ, the unit of /proc CPU times; it is 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// usageProbe samples where CPU time and WAL go during a run, so a figure can
// be read as "PostgreSQL was busy", "we were busy" or "something else was".
// Every part is best effort: what cannot be read is reported as unknown.
type usageProbe struct {
	pool *pgxpool.Pool
	// postmaster is the PostgreSQL server's process id when it runs on
	// this machine and its data directory is readable; else 0.
	postmaster int
}

func newUsageProbe(ctx context.Context, pool *pgxpool.Pool) *usageProbe {
	p := &usageProbe{pool: pool}
	var dir string
	if err := pool.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dir); err != nil {
		return p
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return p
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if pid, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && processExists(pid) {
		p.postmaster = pid
	}
	return p
}

func processExists(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}

// usageSnap is one sample.
type usageSnap struct {
	at                  time.Time
	self                time.Duration // this process, with an embedded NATS server
	pg                  time.Duration // the PostgreSQL server's processes
	pgOK                bool
	machineBusy, iowait time.Duration // all CPUs
	machineOK           bool
	walLSN              int64
	walOK               bool
}

func (p *usageProbe) snap(ctx context.Context) usageSnap {
	s := usageSnap{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if p.postmaster != 0 {
		s.pg, s.pgOK = clusterCPU(p.postmaster)
	}
	s.machineBusy, s.iowait, s.machineOK = machineCPU()
	s.walOK = p.pool.QueryRow(ctx, "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").Scan(&s.walLSN) == nil
	return s
}

// usage is what happened between two samples. CPU figures are in cores
// (CPU seconds per wall second); negative means unknown.
type usage struct {
	wall                          time.Duration
	self, pg, other, busy, iowait float64
	walBytes                      int64 // -1 when unknown
}

func (a usageSnap) until(b usageSnap) usage {
	u := usage{wall: b.at.Sub(a.at), self: -1, pg: -1, other: -1, busy: -1, iowait: -1, walBytes: -1}
	if u.wall <= 0 {
		return u
	}
	cores := func(d time.Duration) float64 { return d.Seconds() / u.wall.Seconds() }
	u.self = cores(b.self - a.self)
	if a.pgOK && b.pgOK {
		u.pg = cores(b.pg - a.pg)
	}
	if a.machineOK && b.machineOK {
		u.busy = cores(b.machineBusy - a.machineBusy)
		u.iowait = cores(b.iowait - a.iowait)
		if u.pg >= 0 {
			u.other = max(u.busy-u.self-u.pg, 0)
		}
	}
	if a.walOK && b.walOK {
		u.walBytes = b.walLSN - a.walLSN
	}
	return u
}

// clusterCPU sums the CPU time of the postmaster and its children.
func clusterCPU(postmaster int) (time.Duration, bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	var ticks int64
	found := false
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command name may hold spaces; fields after it are fixed.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		if pid != postmaster && ppid != postmaster {
			continue
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += utime + stime
		found = true
	}
	return time.Duration(ticks) * time.Second / clockTicks, found
}

// machineCPU reads the busy and iowait time of all CPUs from /proc/stat.
func machineCPU() (busy, iowait time.Duration, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0, false
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, 0, false
	}
	var v [8]int64
	for i := range v {
		v[i], _ = strconv.ParseInt(fields[i+1], 10, 64)
	}
	// user nice system idle iowait irq softirq steal
	busyTicks := v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
	tick := func(n int64) time.Duration { return time.Duration(n) * time.Second / clockTicks }
	return tick(busyTicks), tick(v[4]), true
}
