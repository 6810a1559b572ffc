package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fakeRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.work"), []byte("go 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseConfigDefaults(t *testing.T) {
	root := fakeRepo(t)
	sub := filepath.Join(root, "services", "x")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig(nil, envFrom(nil), sub, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	if cfg.RepoRoot != root {
		t.Errorf("RepoRoot = %s, want %s", cfg.RepoRoot, root)
	}
	if want := filepath.Join(root, "var"); cfg.DataDir != want {
		t.Errorf("DataDir = %s, want %s", cfg.DataDir, want)
	}
	if cfg.NATSPort != 14222 || cfg.BasePort != 8081 || cfg.IssuerPort != 8079 {
		t.Errorf("ports = nats %d, base %d, issuer %d; want 14222, 8081, 8079", cfg.NATSPort, cfg.BasePort, cfg.IssuerPort)
	}
	if cfg.NATSURL != "" || cfg.DatabaseURL != "" {
		t.Errorf("external URLs set without environment: %q, %q", cfg.NATSURL, cfg.DatabaseURL)
	}
	if cfg.StopTimeout != 15*time.Second || cfg.LogLevel != slog.LevelInfo {
		t.Errorf("StopTimeout = %s, LogLevel = %s", cfg.StopTimeout, cfg.LogLevel)
	}
}

func TestParseConfigEnvironmentAndFlags(t *testing.T) {
	root := fakeRepo(t)
	env := envFrom(map[string]string{
		"CAREWEAVE_DATA_DIR":    "/srv/careweave",
		"NATS_URL":              "nats://127.0.0.1:4222",
		"DATABASE_URL":          "postgres://u@127.0.0.1/db",
		"CAREWEAVE_NATS_PORT":   "0",
		"CAREWEAVE_ISSUER_PORT": "0",
		"LOG_LEVEL":             "debug",
		"NATS_SEEDS_DIR":        "/secure/nkeys",
		"NATS_CA_FILE":          "/etc/nats/ca.pem",
		"NATS_STREAM_REPLICAS":  "3",
		"NATS_DUPLICATE_WINDOW": "2m",
		"DIRECTORY_FILE":        "/etc/careweave/directory.json",
	})
	cfg, err := parseConfig([]string{"-base-port", "9000", "-data-dir", "/data"}, env, root, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	if want := (ExternalNATS{SeedsDir: "/secure/nkeys", CAFile: "/etc/nats/ca.pem"}); cfg.NATS != want {
		t.Errorf("NATS = %+v, want %+v", cfg.NATS, want)
	}
	if cfg.Topology.Replicas != 3 || cfg.Topology.DuplicateWindow != 2*time.Minute || cfg.DirectoryFile != "/etc/careweave/directory.json" {
		t.Errorf("Topology = %+v, DirectoryFile = %s", cfg.Topology, cfg.DirectoryFile)
	}
	if cfg.DataDir != "/data" {
		t.Errorf("DataDir = %s, want the flag's /data over the environment", cfg.DataDir)
	}
	if cfg.NATSURL != "nats://127.0.0.1:4222" || cfg.DatabaseURL != "postgres://u@127.0.0.1/db" {
		t.Errorf("external URLs = %q, %q", cfg.NATSURL, cfg.DatabaseURL)
	}
	if cfg.NATSPort != 0 || cfg.IssuerPort != 0 || cfg.BasePort != 9000 || cfg.LogLevel != slog.LevelDebug {
		t.Errorf("NATSPort %d, IssuerPort %d, BasePort %d, LogLevel %s", cfg.NATSPort, cfg.IssuerPort, cfg.BasePort, cfg.LogLevel)
	}
	cfg, err = parseConfig([]string{"-issuer-port", "18079"}, env, root, io.Discard)
	if err != nil || cfg.IssuerPort != 18079 {
		t.Errorf("-issuer-port 18079 over CAREWEAVE_ISSUER_PORT=0: IssuerPort %d, %v", cfg.IssuerPort, err)
	}
}

func TestParseConfigRejects(t *testing.T) {
	root := fakeRepo(t)
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wd      string
		wantErr string
	}{
		{"port out of range", []string{"-nats-port", "70000"}, nil, root, "NATS port 70000"},
		{"bad base port", []string{"-base-port", "0"}, nil, root, "base port 0"},
		{"issuer port out of range", []string{"-issuer-port", "-1"}, nil, root, "issuer port -1"},
		{"bad env issuer port", nil, map[string]string{"CAREWEAVE_ISSUER_PORT": "x"}, root, "CAREWEAVE_ISSUER_PORT"},
		{"bad env port", nil, map[string]string{"CAREWEAVE_NATS_PORT": "many"}, root, "CAREWEAVE_NATS_PORT"},
		{"bad log level", nil, map[string]string{"LOG_LEVEL": "loud"}, root, "LOG_LEVEL"},
		{"stray argument", []string{"extra"}, nil, root, "unexpected arguments"},
		{"outside any repository", nil, nil, t.TempDir(), "no go.work"},
		{"unknown flag", []string{"-nope"}, nil, root, "nope"},
		{"bad replicas", nil, map[string]string{"NATS_STREAM_REPLICAS": "2"}, root, "stream replicas 2"},
		{"bad duplicate window", nil, map[string]string{"NATS_DUPLICATE_WINDOW": "soon"}, root, "NATS_DUPLICATE_WINDOW"},
		{"half a client certificate", []string{"-nats-cert-file", "c.pem"}, nil, root, "client certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, envFrom(tt.env), tt.wd, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parseConfig error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}
