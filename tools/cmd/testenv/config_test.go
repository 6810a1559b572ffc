package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return "postgres://x/y"
		}
		return ""
	}
	cfg, err := parseConfig([]string{"-durable", "-dir", "/srv/pg", "--", "go", "test", "-race", "./..."}, env, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	if want := []string{"go", "test", "-race", "./..."}; !reflect.DeepEqual(cfg.Command, want) {
		t.Errorf("Command = %q, want %q", cfg.Command, want)
	}
	if !cfg.Durable || cfg.Dir != "/srv/pg" || cfg.DatabaseURL != "postgres://x/y" {
		t.Errorf("Durable %t, Dir %q, DatabaseURL %q", cfg.Durable, cfg.Dir, cfg.DatabaseURL)
	}

	cfg, err = parseConfig([]string{"go", "vet"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig without --: %v", err)
	}
	if cfg.Durable || cfg.Dir != "" || cfg.KillAfter != defaultKillAfter || len(cfg.Command) != 2 {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestParseConfigRequiresCommand(t *testing.T) {
	_, err := parseConfig([]string{"-durable", "--"}, func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no command") {
		t.Fatalf("parseConfig without a command: %v, want a usage error", err)
	}
}
