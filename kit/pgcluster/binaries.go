package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrBinariesNotFound is returned by [Start] when no directory holding the
// PostgreSQL server binaries (initdb, pg_ctl, postgres) can be found.
var ErrBinariesNotFound = errors.New("PostgreSQL server binaries not found")

// serverBinaries returns the programs a cluster needs, all from one
// directory.
func serverBinaries() []string { return []string{"initdb", "pg_ctl", "postgres"} }

// binSearch says where to look for the server binaries. It exists so tests
// can point the search at fake directories.
type binSearch struct {
	// versionGlob matches one bin directory per installed major version,
	// whose parent is named after the version (Debian's layout).
	versionGlob string
	// lookPath finds a program on PATH.
	lookPath func(file string) (string, error)
}

func defaultBinSearch() binSearch {
	return binSearch{versionGlob: "/usr/lib/postgresql/*/bin", lookPath: exec.LookPath}
}

// findBinDir returns the directory holding the server binaries: override when
// set, else the highest version matched by s.versionGlob, else what
// `pg_config --bindir` says, else the directory of pg_ctl on PATH.
func findBinDir(ctx context.Context, override string, s binSearch) (string, error) {
	if override != "" {
		if missing := missingBinaries(override); len(missing) > 0 {
			return "", fmt.Errorf("%w: %s lacks %s", ErrBinariesNotFound, override, strings.Join(missing, ", "))
		}
		return override, nil
	}
	var searched []string

	dirs, err := filepath.Glob(s.versionGlob)
	if err != nil {
		return "", fmt.Errorf("search %s: %w", s.versionGlob, err)
	}
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		if len(missingBinaries(dir)) == 0 {
			return dir, nil
		}
	}
	searched = append(searched, fmt.Sprintf("%s (%d found, none complete)", s.versionGlob, len(dirs)))

	if pgConfig, err := s.lookPath("pg_config"); err != nil {
		searched = append(searched, "`pg_config --bindir` (pg_config is not on PATH)")
	} else {
		dir, err := pgConfigBinDir(ctx, pgConfig)
		switch {
		case err != nil:
			searched = append(searched, fmt.Sprintf("`%s --bindir` (%v)", pgConfig, err))
		case len(missingBinaries(dir)) == 0:
			return dir, nil
		default:
			searched = append(searched, fmt.Sprintf("`%s --bindir` (%s lacks %s)", pgConfig, dir, strings.Join(missingBinaries(dir), ", ")))
		}
	}

	if pgCtl, err := s.lookPath("pg_ctl"); err != nil {
		searched = append(searched, "PATH (no pg_ctl)")
	} else {
		dir := filepath.Dir(pgCtl)
		missing := missingBinaries(dir)
		if len(missing) == 0 {
			return dir, nil
		}
		searched = append(searched, fmt.Sprintf("PATH (%s lacks %s)", dir, strings.Join(missing, ", ")))
	}

	return "", fmt.Errorf("%w: looked for %s in %s; install the PostgreSQL server (on Debian: apt-get install postgresql)",
		ErrBinariesNotFound, strings.Join(serverBinaries(), ", "), strings.Join(searched, "; "))
}

func pgConfigBinDir(ctx context.Context, pgConfig string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, pgConfig, "--bindir").Output()
	if err != nil {
		return "", fmt.Errorf("run pg_config: %w", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", errors.New("pg_config printed no directory")
	}
	return dir, nil
}

// missingBinaries lists the server binaries that dir lacks or cannot run.
func missingBinaries(dir string) []string {
	var missing []string
	for _, name := range serverBinaries() {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			missing = append(missing, name)
		}
	}
	return missing
}

// compareVersions orders version strings such as "9.6", "15" and "16.2"
// numerically, component by component; non-numeric components sort first.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		av, bv := -1, -1
		if i < len(as) {
			if n, err := strconv.Atoi(as[i]); err == nil {
				av = n
			}
		}
		if i < len(bs) {
			if n, err := strconv.Atoi(bs[i]); err == nil {
				bv = n
			}
		}
		if av != bv {
			if av < bv {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}
