package config_test

import (
	"bytes"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/config"
)

func TestFlagBeatsEnvironmentBeatsDefault(t *testing.T) {
	env := map[string]string{"HTTP_ADDR": "127.0.0.1:9000", "GRACE": "3s", "WORKERS": "4"}
	parse := func(args ...string) (addr string, grace time.Duration, workers int, err error) {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		b := config.NewBinder(fs, func(k string) string { return env[k] })
		b.String(&addr, "http-addr", "HTTP_ADDR", "127.0.0.1:8080", "listen address")
		b.Duration(&grace, "grace", "GRACE", time.Second, "shutdown grace")
		b.Int(&workers, "workers", "WORKERS", 1, "workers")
		err = b.Parse(args)
		return
	}
	addr, grace, workers, err := parse()
	if err != nil || addr != "127.0.0.1:9000" || grace != 3*time.Second || workers != 4 {
		t.Fatalf("from env: %s %v %d %v", addr, grace, workers, err)
	}
	addr, _, _, _ = parse("-http-addr", ":7000")
	if addr != ":7000" {
		t.Fatalf("flag did not win: %s", addr)
	}
	env["GRACE"] = "soon"
	if _, _, _, err := parse(); err == nil || !strings.Contains(err.Error(), "GRACE") {
		t.Fatalf("bad env value not reported: %v", err)
	}
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	l, err := config.Logging{Level: "warn", Format: "json"}.NewLogger(&buf)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hidden")
	l.Warn("shown", "k", 1)
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), `"msg":"shown"`) {
		t.Fatalf("log output: %s", buf.String())
	}
	for _, bad := range []config.Logging{{Level: "loud", Format: "json"}, {Level: "info", Format: "xml"}} {
		if _, err := bad.NewLogger(io.Discard); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
