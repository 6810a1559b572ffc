package pgcluster

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func fakeBinDir(t *testing.T, dir string, names ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func noPath(string) (string, error) { return "", exec.ErrNotFound }

func TestFindBinDirPicksHighestCompleteVersion(t *testing.T) {
	root := t.TempDir()
	fakeBinDir(t, filepath.Join(root, "9.6", "bin"), serverBinaries()...)
	want := fakeBinDir(t, filepath.Join(root, "15", "bin"), serverBinaries()...)
	fakeBinDir(t, filepath.Join(root, "16", "bin"), "pg_ctl") // client-only install

	got, err := findBinDir(t.Context(), "", binSearch{versionGlob: filepath.Join(root, "*", "bin"), lookPath: noPath})
	if err != nil {
		t.Fatalf("findBinDir: %v", err)
	}
	if got != want {
		t.Errorf("findBinDir = %s, want %s", got, want)
	}
}

func TestFindBinDirFallsBackToPath(t *testing.T) {
	root := t.TempDir()
	onPath := fakeBinDir(t, filepath.Join(root, "path"), serverBinaries()...)
	lookPath := func(file string) (string, error) {
		if file == "pg_ctl" {
			return filepath.Join(onPath, file), nil
		}
		return "", exec.ErrNotFound
	}
	got, err := findBinDir(t.Context(), "", binSearch{versionGlob: filepath.Join(root, "none", "*", "bin"), lookPath: lookPath})
	if err != nil {
		t.Fatalf("findBinDir: %v", err)
	}
	if got != onPath {
		t.Errorf("findBinDir = %s, want %s", got, onPath)
	}
}

func TestFindBinDirUsesPgConfig(t *testing.T) {
	root := t.TempDir()
	bin := fakeBinDir(t, filepath.Join(root, "pgbin"), serverBinaries()...)
	pgConfig := filepath.Join(root, "pg_config")
	if err := os.WriteFile(pgConfig, []byte("#!/bin/sh\necho "+bin+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	lookPath := func(file string) (string, error) {
		if file == "pg_config" {
			return pgConfig, nil
		}
		return "", exec.ErrNotFound
	}
	got, err := findBinDir(t.Context(), "", binSearch{versionGlob: filepath.Join(root, "none", "*", "bin"), lookPath: lookPath})
	if err != nil {
		t.Fatalf("findBinDir: %v", err)
	}
	if got != bin {
		t.Errorf("findBinDir = %s, want %s", got, bin)
	}
}

func TestFindBinDirNamesWhatItSearched(t *testing.T) {
	root := t.TempDir()
	glob := filepath.Join(root, "*", "bin")
	_, err := findBinDir(t.Context(), "", binSearch{versionGlob: glob, lookPath: noPath})
	if !errors.Is(err, ErrBinariesNotFound) {
		t.Fatalf("findBinDir: %v, want ErrBinariesNotFound", err)
	}
	for _, want := range []string{glob, "pg_config", "PATH", "initdb"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestFindBinDirOverride(t *testing.T) {
	root := t.TempDir()
	incomplete := fakeBinDir(t, filepath.Join(root, "bin"), "pg_ctl")
	if _, err := findBinDir(t.Context(), incomplete, defaultBinSearch()); !errors.Is(err, ErrBinariesNotFound) {
		t.Fatalf("findBinDir with an incomplete override: %v, want ErrBinariesNotFound", err)
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"15", "9.6", 1},
		{"9.6", "10", -1},
		{"16.2", "16", 1},
		{"15", "15", 0},
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"-p":                         "-p",
		"listen_addresses=127.0.0.1": "listen_addresses=127.0.0.1",
		"unix_socket_directories=":   "unix_socket_directories=",
		"a b":                        "'a b'",
		"it's":                       `'it'\''s'`,
	}
	for in, want := range tests {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
