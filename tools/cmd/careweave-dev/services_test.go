package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiscoverServices(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "services/visits/cmd/visitsd/main.go"), "package main\n\nfunc main() {}\n")
	writeFile(t, filepath.Join(root, "projections/board/cmd/boardd/main.go"), "package main\n\nfunc main() {}\n")
	// Not commands: a library, a test-only main, an ignored generator, a file.
	writeFile(t, filepath.Join(root, "services/visits/cmd/shared/shared.go"), "package shared\n")
	writeFile(t, filepath.Join(root, "services/visits/cmd/onlytest/main_test.go"), "package main\n")
	writeFile(t, filepath.Join(root, "services/visits/cmd/gen/gen.go"), "//go:build ignore\n\npackage main\n")
	writeFile(t, filepath.Join(root, "services/visits/cmd/README"), "not a dir\n")

	got, err := discoverServices(root)
	if err != nil {
		t.Fatalf("discoverServices: %v", err)
	}
	want := []service{
		{Name: "boardd", Pkg: "./projections/board/cmd/boardd"},
		{Name: "visitsd", Pkg: "./services/visits/cmd/visitsd"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("discoverServices = %+v, want %+v", got, want)
	}
}

func TestDiscoverServicesNone(t *testing.T) {
	got, err := discoverServices(t.TempDir())
	if err != nil || len(got) != 0 {
		t.Fatalf("discoverServices on an empty repository = %v, %v; want none", got, err)
	}
}

func TestDiscoverServicesRejectsDuplicateNames(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "services/a/cmd/server/main.go"), "package main\n")
	writeFile(t, filepath.Join(root, "services/b/cmd/server/main.go"), "package main\n")
	_, err := discoverServices(root)
	if err == nil || !strings.Contains(err.Error(), `"server"`) {
		t.Fatalf("discoverServices with two commands named server: %v, want an error naming it", err)
	}
}

func TestLineWriterPrefixesWholeLines(t *testing.T) {
	var out syncBuffer
	w := newLineWriter(&out, "svc | ")
	for _, chunk := range []string{"hel", "lo\nwor", "ld\n", "partial"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := out.String(), "svc | hello\nsvc | world\n"; got != want {
		t.Errorf("before flush: %q, want %q", got, want)
	}
	w.Flush()
	if got, want := out.String(), "svc | hello\nsvc | world\nsvc | partial\n"; got != want {
		t.Errorf("after flush: %q, want %q", got, want)
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"postgres://u:secret@127.0.0.1:5432/db?sslmode=disable": "postgres://u:xxxxx@127.0.0.1:5432/db?sslmode=disable",
		"nats://127.0.0.1:4222":                                 "nats://127.0.0.1:4222",
		"host=db password=secret":                               "(not shown)",
	}
	for in, want := range tests {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
