package natsembed_test

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/natsembed"
)

func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

func startServer(t *testing.T, cfg natsembed.Config) *server.Server {
	t.Helper()
	ns, err := natsembed.Start(cfg)
	if err != nil {
		t.Fatalf("start nats server: %v", err)
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return ns
}

func connect(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return js
}

func TestRestartOnSameStoreKeepsMessages(t *testing.T) {
	storeDir := t.TempDir()
	ns := startServer(t, natsembed.Config{StoreDir: storeDir, Port: -1, ServerName: "test", Logger: testLogger(t)})
	port := ns.Addr().(*net.TCPAddr).Port

	js := connect(t, ns.ClientURL())
	if _, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "VISITS", Subjects: []string{"visits.>"}}); err != nil {
		t.Fatalf("create stream: %v", err)
	}
	ack, err := js.Publish(t.Context(), "visits.requested", []byte("hello"), jetstream.WithMsgID("evt-1"))
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if ack.Sequence != 1 {
		t.Fatalf("published at sequence %d, want 1", ack.Sequence)
	}
	ns.Shutdown()
	ns.WaitForShutdown()

	ns2 := startServer(t, natsembed.Config{StoreDir: storeDir, Port: port, ServerName: "test", Logger: testLogger(t)})
	if got := ns2.Addr().(*net.TCPAddr).Port; got != port {
		t.Fatalf("restarted on port %d, want %d", got, port)
	}
	js2 := connect(t, ns2.ClientURL())
	stream, err := js2.Stream(t.Context(), "VISITS")
	if err != nil {
		t.Fatalf("stream after restart: %v", err)
	}
	msg, err := stream.GetMsg(t.Context(), 1)
	if err != nil {
		t.Fatalf("get message after restart: %v", err)
	}
	if string(msg.Data) != "hello" || msg.Subject != "visits.requested" {
		t.Errorf("message after restart = %s %q, want visits.requested \"hello\"", msg.Subject, msg.Data)
	}
}

func TestStartReportsTakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	start := time.Now()
	_, err = natsembed.Start(natsembed.Config{StoreDir: t.TempDir(), Port: port, Logger: testLogger(t)})
	if !errors.Is(err, natsembed.ErrPortInUse) {
		t.Fatalf("Start on a taken port: %v, want ErrPortInUse", err)
	}
	if !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Errorf("error %q does not name the port", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Start took %s to report a taken port", time.Since(start))
	}
}

func TestStartReportsUnusableStoreDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ns, err := natsembed.Start(natsembed.Config{StoreDir: file, Logger: testLogger(t)})
	if err == nil {
		ns.Shutdown()
		t.Fatal("Start with a file as store directory succeeded, want an error")
	}
	t.Logf("Start with a file as store directory: %v", err)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     natsembed.Config
		wantErr bool
	}{
		{"valid", natsembed.Config{StoreDir: "/tmp/x"}, false},
		{"random port", natsembed.Config{StoreDir: "/tmp/x", Port: -1}, false},
		{"missing store dir", natsembed.Config{}, true},
		{"bad port", natsembed.Config{StoreDir: "/tmp/x", Port: -2}, true},
		{"negative timeout", natsembed.Config{StoreDir: "/tmp/x", ReadyTimeout: -time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}
