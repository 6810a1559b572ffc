package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrDirNotAccessible is returned by [Start] when the PostgreSQL server could
// not use the data directory: when running as root, the postgres OS user must
// be able to reach it through every parent directory.
var ErrDirNotAccessible = errors.New("data directory not accessible to the PostgreSQL server")

// serverUser is the OS user the server binaries run as when this process
// runs as root, since initdb and postgres refuse to run as root.
const serverUser = "postgres"

// runner runs the server binaries, as the postgres OS user when this process
// is root and as the current user otherwise.
type runner struct {
	binDir string
	// runuser is the path of runuser(1) when the binaries run as serverUser;
	// empty when they run as the current user.
	runuser string
	// uid and gids identify the user the server runs as.
	uid  int
	gid  int
	gids map[int]bool
}

func newRunner(binDir string) (runner, error) {
	if os.Geteuid() != 0 {
		gids := map[int]bool{}
		groups, err := os.Getgroups()
		if err != nil {
			return runner{}, fmt.Errorf("list the current user's groups: %w", err)
		}
		for _, g := range groups {
			gids[g] = true
		}
		gids[os.Getegid()] = true
		return runner{binDir: binDir, uid: os.Geteuid(), gid: os.Getegid(), gids: gids}, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return runner{}, fmt.Errorf("this process runs as root, and PostgreSQL refuses to run as root, so it must run as the %q OS user, which was not found (%v): create it (useradd --system %s), run as a non-root user, or use an existing server", serverUser, err, serverUser)
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		return runner{}, fmt.Errorf("this process runs as root, so PostgreSQL must run as the %q OS user through runuser(1), which was not found on PATH: %w", serverUser, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return runner{}, fmt.Errorf("parse uid %q of OS user %s: %w", u.Uid, serverUser, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return runner{}, fmt.Errorf("parse gid %q of OS user %s: %w", u.Gid, serverUser, err)
	}
	gids := map[int]bool{gid: true}
	groups, err := u.GroupIds()
	if err != nil {
		return runner{}, fmt.Errorf("list the groups of OS user %s: %w", serverUser, err)
	}
	for _, g := range groups {
		if n, err := strconv.Atoi(g); err == nil {
			gids[n] = true
		}
	}
	return runner{binDir: binDir, runuser: runuser, uid: uid, gid: gid, gids: gids}, nil
}

// command returns a command that runs the named server binary. It runs in
// "/" so the server user never needs access to this process's working
// directory, with PG* variables removed from the environment so they cannot
// redirect pg_ctl or initdb.
func (r runner) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(r.binDir, name)
	var cmd *exec.Cmd
	if r.runuser != "" {
		cmd = exec.CommandContext(ctx, r.runuser, append([]string{"-u", serverUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = "/"
	cmd.Env = serverEnv(os.Environ())
	// On cancellation, SIGTERM lets initdb clean up and pg_ctl exit; runuser
	// passes it on to the program it runs.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	// Kill what SIGTERM did not stop, and never wait on pipes held by the
	// daemon pg_ctl start leaves behind.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// describe renders the command line a person would type to run the named
// binary the way r does, for error messages.
func (r runner) describe(name string, args ...string) string {
	parts := []string{filepath.Join(r.binDir, name)}
	if r.runuser != "" {
		parts = append([]string{"runuser", "-u", serverUser, "--"}, parts...)
	}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func serverEnv(environ []string) []string {
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		if strings.HasPrefix(kv, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// prepareDir creates dir when missing and makes sure the server user owns it
// and can reach it. It reports whether dir already holds a cluster.
func (r runner) prepareDir(dir string) (initialized bool, err error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return false, fmt.Errorf("create parent directory of the data directory: %w", err)
	}
	if err := r.checkReachable(parent); err != nil {
		return false, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return false, fmt.Errorf("create data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return false, fmt.Errorf("inspect data directory: %w", err)
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("%w: %s is not a directory", ErrDirNotAccessible, dir)
	}
	owner := ownerOf(fi)

	_, err = os.Stat(filepath.Join(dir, "PG_VERSION"))
	switch {
	case err == nil:
		if owner != r.uid {
			return false, fmt.Errorf("%w: the cluster in %s is owned by uid %d, but the server runs as uid %d; chown -R the directory to that user or use another directory",
				ErrDirNotAccessible, dir, owner, r.uid)
		}
		return true, nil
	case !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("inspect data directory: %w", err)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("read data directory: %w", err)
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("%w: %s is not empty but holds no PostgreSQL cluster (no PG_VERSION); use an empty or missing directory",
			ErrDirNotAccessible, dir)
	}
	if owner != r.uid {
		if err := os.Chown(dir, r.uid, r.gid); err != nil {
			return false, fmt.Errorf("give data directory %s to the %s OS user: %w", dir, serverUser, err)
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return false, fmt.Errorf("restrict data directory permissions: %w", err)
	}
	return false, nil
}

// makeServerDir creates dir, private to and owned by the server user.
func (r runner) makeServerDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if r.runuser != "" {
		if err := os.Chown(dir, r.uid, r.gid); err != nil {
			_ = os.Remove(dir)
			return fmt.Errorf("give %s to the %s OS user: %w", dir, serverUser, err)
		}
	}
	return nil
}

// checkReachable checks that the server user can search dir and every
// directory above it. Only the permission bits are checked, not ACLs.
func (r runner) checkReachable(dir string) error {
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", dir, err)
	}
	for p := resolved; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("inspect %s: %w", p, err)
		}
		if !r.canSearch(fi) {
			return fmt.Errorf("%w: %s (mode %04o, owner uid %d) is not searchable by the %s OS user, which the server must run as because this process runs as root; "+
				"put the data directory where every parent directory is searchable by that user (for example under %s, see pgcluster.MkdirTemp), or run chmod o+x %s",
				ErrDirNotAccessible, p, fi.Mode().Perm(), ownerOf(fi), serverUser, os.TempDir(), p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func (r runner) canSearch(fi fs.FileInfo) bool {
	mode := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	switch {
	case r.uid == 0:
		return true
	case int(st.Uid) == r.uid:
		return mode&0o100 != 0
	case r.gids[int(st.Gid)]:
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}

func ownerOf(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// MkdirTemp creates a new directory under os.TempDir() whose name starts with
// pattern (see os.MkdirTemp), searchable by every user (mode 0755), so a
// cluster's data directory can be put inside it even when the server must run
// as the postgres OS user. The caller removes it.
func MkdirTemp(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", fmt.Errorf("create temporary directory: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("make temporary directory searchable: %w", err)
	}
	return dir, nil
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./=:,@%+", c))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
