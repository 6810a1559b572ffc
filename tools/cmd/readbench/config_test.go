package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestQuickDefaultsAndValidation(t *testing.T) {
	env := func(k string) string { return map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1/db"}[k] }
	c, err := parseConfig([]string{"-quick"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Events != 20_000 || c.QueryEvents != 200_000 || c.QueryPatients != 20_000 || c.LagDuration != 5*time.Second || c.LagRate != 1000 {
		t.Fatalf("quick config %+v", c)
	}
	c, err = parseConfig(nil, env, io.Discard)
	if err != nil || c.QueryEvents != 10_000_000 || c.QueryPatients != 1_000_000 || c.Events != 300_000 {
		t.Fatalf("full config %+v (%v)", c, err)
	}
	for _, args := range [][]string{
		{"-sections", "project,nonsense"},
		{"-events", "5"},
		{"-query-events", "10", "-query-patients", "20"},
		{"-lag-duration", "10ms"},
	} {
		if _, err := parseConfig(args, env, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, err := parseConfig(nil, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("no database: %v", err)
	}
}
