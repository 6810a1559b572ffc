package pgcluster

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrAlreadyRunning is returned by [Start] when a live PostgreSQL server,
// usually left by an earlier run that did not stop it, already holds the data
// directory.
var ErrAlreadyRunning = errors.New("a PostgreSQL server is already running in the data directory")

// livePostmaster returns the PID of a live postmaster that holds dir, or 0
// when none does.
//
// A postmaster.pid naming a dead process is left for PostgreSQL, which
// removes it itself after checking that no old backend still uses the shared
// memory. One naming a live process that is not a postmaster in dir (the PID
// was reused, typically after a reboot) would make PostgreSQL refuse to start,
// so it is removed here, as is one too damaged to name a process.
func livePostmaster(dir string, logger *slog.Logger) (int, error) {
	lockFile := filepath.Join(dir, "postmaster.pid")
	data, err := os.ReadFile(lockFile)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", lockFile, err)
	}
	firstLine, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(firstLine))
	if err != nil || pid <= 0 {
		logger.Warn("removing damaged postmaster.pid", slog.String("file", lockFile))
		return 0, removeLockFile(lockFile)
	}

	switch err := syscall.Kill(pid, 0); {
	case errors.Is(err, syscall.ESRCH):
		return 0, nil // dead: PostgreSQL recovers by itself
	case errors.Is(err, syscall.EPERM):
		// Another user's process cannot be a postmaster we run, and
		// PostgreSQL itself treats this case as a stale lock file.
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("check process %d named in %s: %w", pid, lockFile, err)
	}

	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if err != nil {
		if _, statErr := os.Stat("/proc/self/cwd"); statErr == nil && errors.Is(err, fs.ErrNotExist) {
			return 0, nil // exited meanwhile
		}
		// No /proc, or no access to the process: assume the worst.
		return pid, nil
	}
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return 0, fmt.Errorf("resolve %s: %w", dir, err)
	}
	if filepath.Clean(cwd) == resolved {
		return pid, nil
	}
	logger.Warn("removing stale postmaster.pid naming an unrelated process",
		slog.String("file", lockFile), slog.Int("pid", pid))
	return 0, removeLockFile(lockFile)
}

func removeLockFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", path, err)
	}
	return nil
}
