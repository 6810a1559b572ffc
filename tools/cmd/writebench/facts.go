package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// facts describe the machine and servers a run measured.
type facts struct {
	started    time.Time
	cpus       int
	gomaxprocs int
	cpuModel   string
	memory     string
	kernel     string
	goVersion  string

	pgVersion string
	// pgSettings are the durability settings, in display order.
	pgSettings [][2]string
	pgDataFS   string

	natsVersion, natsOrigin string

	fsyncProbe string

	eventType             string
	dataBytes, envelBytes int
}

// durable reports whether PostgreSQL commits durably.
func (f facts) durable() bool {
	for _, kv := range f.pgSettings {
		if (kv[0] == "fsync" || kv[0] == "synchronous_commit") && kv[1] == "off" {
			return false
		}
	}
	return true
}

func gatherFacts(ctx context.Context, b *bench) facts {
	f := facts{
		started:    time.Now(),
		cpus:       runtime.NumCPU(),
		gomaxprocs: runtime.GOMAXPROCS(0),
		cpuModel:   cpuModel(),
		memory:     memTotal(),
		kernel:     readTrim("/proc/sys/kernel/osrelease"),
		goVersion:  runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		natsOrigin: b.natsOrigin,
		eventType:  visitCompletedType,
	}
	if err := b.pool.QueryRow(ctx, "SELECT version()").Scan(&f.pgVersion); err != nil {
		f.pgVersion = "unknown: " + err.Error()
	}
	for _, name := range []string{"fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers", "max_wal_size"} {
		var v string
		if err := b.pool.QueryRow(ctx, "SHOW "+name).Scan(&v); err != nil {
			v = "unknown"
		}
		f.pgSettings = append(f.pgSettings, [2]string{name, v})
	}
	var dataDir string
	if err := b.pool.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dataDir); err == nil {
		f.pgDataFS = filesystemOf(dataDir)
	}
	f.natsVersion = b.nc.ConnectedServerVersion()
	f.fsyncProbe = fsyncProbe(os.TempDir())
	if ss, err := newStreams(1, b.cfg.DataSize, time.Now()); err == nil {
		f.dataBytes, f.envelBytes = len(ss[0].template.Data), len(ss[0].encoded)
	}
	return f
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memTotal() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				break
			}
			return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return "unknown"
}

// filesystemOf names the filesystem holding path, from /proc/mounts.
func filesystemOf(path string) string {
	b, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return ""
	}
	best, desc := "", ""
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		mnt := f[1]
		if (path == mnt || strings.HasPrefix(path, strings.TrimSuffix(mnt, "/")+"/")) && len(mnt) > len(best) {
			best, desc = mnt, fmt.Sprintf("%s on %s (mounted at %s)", f[2], f[0], mnt)
		}
	}
	return desc
}

// fsyncProbe times 8 KiB writes each followed by fsync, the floor under one
// durable commit on this disk.
func fsyncProbe(dir string) string {
	f, err := os.CreateTemp(dir, "writebench-fsync-")
	if err != nil {
		return "unknown: " + err.Error()
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 8<<10)
	const n = 200
	ds := make([]time.Duration, 0, n)
	for i := range n {
		if _, err := f.WriteAt(buf, int64(i%16)*int64(len(buf))); err != nil {
			return "unknown: " + err.Error()
		}
		t0 := time.Now()
		if err := f.Sync(); err != nil {
			return "unknown: " + err.Error()
		}
		ds = append(ds, time.Since(t0))
	}
	s := summarize(ds)
	return fmt.Sprintf("8 KiB write + fsync in %s: p50 %s, p99 %s (%d samples)", filepath.Clean(dir), fmtMs(s.P50), fmtMs(s.P99), n)
}
