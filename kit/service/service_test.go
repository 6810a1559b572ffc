package service_test

import (
	"context"
	"encoding/json"
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
	cfg := service.Config{Name: "Bad Name", HTTPAddr: "nowhere", StreamReplicas: 2, ShutdownGrace: time.Hour}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"schema name", "http address", "database url", "nats url", "shutdown grace", "replicas", "auth issuer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("validation error does not mention %s: %v", want, err)
		}
	}
}
