package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/nhsno"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaultsAndTheStackEnvFile(t *testing.T) {
	stackEnv := filepath.Join(t.TempDir(), "stack.env")
	if err := os.WriteFile(stackEnv, []byte("# a comment\nAUTH_ISSUER=http://127.0.0.1:8079\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig([]string{"-stack-env", stackEnv}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer != "http://127.0.0.1:8079" || cfg.Patients != 40_000 || cfg.Rate != 200 || cfg.Duration != time.Minute || cfg.Seed != 1 ||
		cfg.E2ESample != 0.05 || cfg.Out != "loadgen-results.json" {
		t.Errorf("defaults: %+v", cfg)
	}
	if got := cfg.URL("query"); got != "http://127.0.0.1:8087" {
		t.Errorf("query URL = %s, want careweave-dev's port 8087", got)
	}
	cfg, err = parseConfig([]string{"-rate", "0", "-workers", "8"}, env(map[string]string{"AUTH_ISSUER": "http://x:1", "LOADGEN_PATIENTS": "500"}), &bytes.Buffer{})
	if err != nil || cfg.Rate != 0 || cfg.Workers != 8 || cfg.Patients != 500 {
		t.Errorf("flags and env: %+v, %v", cfg, err)
	}
}

func TestBadUsageExitsTwoSayingWhy(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-rate", "-1"}, nil, "-rate"},
		{[]string{"-patients", "3"}, nil, "-patients"},
		{[]string{"-e2e-sample", "1.5"}, nil, "-e2e-sample"},
		{[]string{"-duration", "10s", "-warmup", "20s"}, nil, "-warmup"},
		{[]string{"-stack-env", "/nonexistent/stack.env"}, map[string]string{"AUTH_ISSUER": ""}, "-issuer"},
		{nil, map[string]string{"LOADGEN_RATE": "fast"}, "LOADGEN_RATE"},
		{[]string{"surplus"}, nil, "unexpected arguments"},
	} {
		e := map[string]string{"AUTH_ISSUER": "http://127.0.0.1:8079"}
		for k, v := range c.env {
			e[k] = v
		}
		var stderr bytes.Buffer
		code := mainExit(context.Background(), c.args, env(e), &bytes.Buffer{}, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 naming %s", c.args, c.env, code, stderr.String(), c.want)
		}
	}
}

func TestSyntheticNumbersAreValidAndInThe999Range(t *testing.T) {
	ns := syntheticNumbers(1000)
	seen := map[string]bool{}
	for _, n := range ns {
		if _, err := nhsno.Parse(n); err != nil || !strings.HasPrefix(n, "9992") || seen[n] {
			t.Fatalf("bad or repeated number %q", n)
		}
		seen[n] = true
	}
	if len(ns) != 1000 {
		t.Fatalf("%d numbers", len(ns))
	}
}
