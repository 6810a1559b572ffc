package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type noted struct {
	Text string `json:"text"`
}

func (noted) EventType() string { return "careweave.test.noted.v1" }

// notes is a one-route service: POST /v1/notes appends an event.
func notes(mux *httpkit.Router, d service.Deps) error {
	mux.HandleFunc("POST /v1/notes", func(w http.ResponseWriter, r *http.Request) {
		var body noted
		if err := httpkit.DecodeJSON(w, r, &body, 0); err != nil {
			httpkit.WriteError(w, r, d.Logger, err)
			return
		}
		now := d.Now()
		env, err := events.New(body, events.Metadata{ID: events.NewID(now), Time: now, Subject: "pt-1", Area: "U12345",
			CorrelationID: httpkit.RequestID(r.Context()), Actor: events.Actor{ID: "tester", Role: "system"}})
		if err == nil {
			_, err = d.Store.Append(r.Context(), "note-"+env.ID.String(), 0, []events.Envelope{env})
		}
		if err != nil {
			httpkit.WriteError(w, r, d.Logger, err)
			return
		}
		httpkit.WriteJSON(w, http.StatusCreated, map[string]string{"id": env.ID.String()})
	})
	return nil
}

func TestServiceServesPublishesAndShutsDownCleanly(t *testing.T) {
	_, schema := testkit.Postgres(t)
	ns := testkit.NATS(t)
	cfg := service.Config{
		Name: "notes", Schema: schema, HTTPAddr: "127.0.0.1:0", DatabaseURL: testkit.DatabaseURL(t), NATSURL: ns.ClientURL(),
		StreamReplicas: 1, DuplicateWindow: time.Minute, ShutdownGrace: 5 * time.Second, Auth: servicetest.AuthConfig(t),
	}
	addr := make(chan string, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, cfg, service.Options{Routes: notes, Started: func(a string) { addr <- a }}, slog.New(slog.DiscardHandler))
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("service stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("service did not start")
	}

	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	testkit.Eventually(t, 10*time.Second, func() bool { code, _ := get("/readyz"); return code == 200 }, "never ready")

	token := servicetest.Token(t, auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"})
	post := func(body, token string) *http.Response {
		req, _ := http.NewRequest("POST", base+"/v1/notes", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// Without a token, nothing is accepted.
	resp := post(`{"text":"hello"}`, "")
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != httpkit.ProblemContentType {
		t.Fatalf("POST without a token = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp = post(`{"text":"hello"}`, token)
	var created struct{ ID string }
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("POST = %d", resp.StatusCode)
	}
	resp = post(`{"text":"hello","extra":1}`, token)
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != httpkit.ProblemContentType {
		t.Fatalf("bad POST = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// The committed event reaches JetStream through the relay.
	nc := testkit.Connect(t, ns.ClientURL())
	js, _ := jetstream.New(nc)
	testkit.Eventually(t, 10*time.Second, func() bool {
		st, err := js.Stream(t.Context(), natskit.EventStream)
		if err != nil {
			return false
		}
		m, err := st.GetLastMsgForSubject(t.Context(), events.FilterAll)
		return err == nil && m.Header.Get(jetstream.MsgIDHeader) == created.ID
	}, "event %s not on JetStream", created.ID)
	testkit.Eventually(t, 5*time.Second, func() bool { _, body := get("/relayz"); return strings.Contains(body, `"published":1`) }, "relay status not updated")
	if _, body := get("/metrics"); !strings.Contains(body, `careweave_relay_published_total{relay="notes"} 1`) {
		t.Fatalf("metrics lack the relay counter:\n%.500s", body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("service did not shut down")
	}
}

func TestConfigIsValidated(t *testing.T) {
	cfg := service.Config{Name: "Bad Name", HTTPAddr: "nowhere", StreamReplicas: 2, ShutdownGrace: time.Hour, DebugAddr: "0.0.0.0:6060"}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"schema name", "http address", "database url", "nats url", "shutdown grace", "replicas", "auth issuer", "debug address"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("validation error does not mention %s: %v", want, err)
		}
	}
}

// startService runs service.Run in the background and returns its base URL
// once it serves, or the error it stopped with.
func startService(t *testing.T, cfg service.Config, opts service.Options) (string, error) {
	t.Helper()
	addr := make(chan string, 1)
	opts.Started = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, cfg, opts, slog.New(slog.DiscardHandler)) }()
	select {
	case a := <-addr:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run after shutdown: %v", err)
			}
		})
		return "http://" + a, nil
	case err := <-done:
		cancel()
		return "", err
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("service did not start")
		return "", nil
	}
}

// TestWithCredentialsTheServiceUsesTheStreamsTheAdministratorMade: signed in
// as a NATS user of its own, over TLS, a service may not make the streams:
// it checks them, stops saying they are not provisioned, and once the
// administrator has made them, publishes its events.
func TestWithCredentialsTheServiceUsesTheStreamsTheAdministratorMade(t *testing.T) {
	_, schema := testkit.Postgres(t)
	principals := []natsauth.Principal{natsauth.Admin(), natsauth.Service("test")}
	seeds := t.TempDir()
	keys, err := natsauth.EnsureSeeds(seeds, principals)
	if err != nil {
		t.Fatal(err)
	}
	users, err := natsauth.NewUsers(principals, keys)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := natsembed.EnsureDevCertificates(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ns, err := natsembed.Start(natsembed.Config{StoreDir: t.TempDir(), Users: users, TLS: certs.ServerTLS(false)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	as := func(user string) natskit.ConnectConfig {
		return natskit.ConnectConfig{NKeySeedFile: natsauth.SeedFile(seeds, user), CAFile: certs.CAFile, InboxPrefix: natsauth.InboxPrefix(user)}
	}
	cfg := service.Config{
		Name: "test", Schema: schema, HTTPAddr: "127.0.0.1:0", DatabaseURL: testkit.DatabaseURL(t), NATSURL: ns.ClientURL(), NATS: as("test"),
		StreamReplicas: 1, DuplicateWindow: time.Minute, ShutdownGrace: 5 * time.Second, Auth: servicetest.AuthConfig(t),
	}
	if _, err := startService(t, cfg, service.Options{Routes: notes}); !errors.Is(err, natskit.ErrNotProvisioned) {
		t.Fatalf("service started on a server nobody provisioned: %v, want %v", err, natskit.ErrNotProvisioned)
	}

	admin := as(natsauth.AdminName)
	admin.URL, admin.Name = ns.ClientURL(), "test-admin"
	anc, err := natskit.Connect(t.Context(), admin, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer anc.Close()
	ajs, err := jetstream.New(anc)
	if err != nil {
		t.Fatal(err)
	}
	if err := natskit.Provision(t.Context(), ajs, natskit.TopologyConfig{DuplicateWindow: time.Minute}); err != nil {
		t.Fatal(err)
	}
	base, err := startService(t, cfg, service.Options{Routes: notes})
	if err != nil {
		t.Fatalf("service on the provisioned server: %v", err)
	}
	req, _ := http.NewRequest("POST", base+"/v1/notes", strings.NewReader(`{"text":"hello"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+servicetest.Token(t, auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST = %d", resp.StatusCode)
	}
	testkit.Eventually(t, 10*time.Second, func() bool {
		st, err := ajs.Stream(t.Context(), natskit.EventStream)
		return err == nil && st.CachedInfo().State.Msgs == 1
	}, "the service's event did not reach the stream")
}

// The profiler is served on its own loopback listener when asked for, and
// never on the API's.
func TestTheProfilerIsServedOnlyOnItsOwnListener(t *testing.T) {
	_, schema := testkit.Postgres(t)
	ns := testkit.NATS(t)
	debug := fmt.Sprintf("127.0.0.1:%d", testkit.FreePorts(t, 1))
	cfg := service.Config{
		Name: "notes", Schema: schema, HTTPAddr: "127.0.0.1:0", DatabaseURL: testkit.DatabaseURL(t), NATSURL: ns.ClientURL(),
		StreamReplicas: 1, DuplicateWindow: time.Minute, ShutdownGrace: 5 * time.Second, Auth: servicetest.AuthConfig(t), DebugAddr: debug,
	}
	base, err := startService(t, cfg, service.Options{Routes: notes})
	if err != nil {
		t.Fatal(err)
	}
	get := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	testkit.Eventually(t, 10*time.Second, func() bool { return get("http://"+debug+"/debug/pprof/") == 200 }, "the profiler is not served on %s", debug)
	if st := get(base + "/debug/pprof/"); st == 200 {
		t.Errorf("the API serves the profiler (%d)", st)
	}
}
