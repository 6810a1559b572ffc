// Package servicetest runs a real service — the shared runtime with the
// service's own routes — against real PostgreSQL and an in-process NATS
// server, and drives it over HTTP, checking every response against the
// service's OpenAPI document.
package servicetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/openapitest"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/kit/testkit"
)

// Stack is one running service.
type Stack struct {
	t         testing.TB
	URL       string
	Schema    string
	Pool      *pgxpool.Pool // the service's database, for checking what it stored
	JS        jetstream.JetStream
	validator *openapitest.Validator
	// Actor is sent with every request unless a request overrides it: the
	// token's sub, role and org. Setting it sends a token with no pcn or
	// team claim; As sends a whole principal.
	Actor events.Actor
	// principal is the principal tokens are minted for while Actor is its
	// actor (see Principal).
	principal auth.Principal
	stop      func()
	logs      *logBuffer
	name      string // the service, as its records name it
}

// logBuffer keeps what a service logged, for tests that check what its
// logs must never hold.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// Logs returns every line the service has logged so far, at every level.
func (s *Stack) Logs() string {
	s.logs.mu.Lock()
	defer s.logs.mu.Unlock()
	return s.logs.b.String()
}

// DefaultPrincipal is whom a new stack's requests come from: a care
// coordinator of the demo directory's first PCN.
var DefaultPrincipal = auth.Principal{Subject: "tester", Role: "care-coordinator", Org: "U84001", PCN: "U84001"}

// As returns a copy of the stack whose requests carry a token for p, with
// its pcn and team claims. The copy drives the same running service; s is
// left as it was, so a test can hold one stack per caller.
func (s *Stack) As(p auth.Principal) *Stack {
	c := *s
	c.Actor, c.principal = p.Actor(), p
	return &c
}

// Principal is whom the stack's tokens are for: the principal given to As
// (DefaultPrincipal on a new stack) while Actor is still its actor;
// otherwise Actor alone, with no pcn or team claim.
func (s *Stack) Principal() auth.Principal {
	if s.principal.Actor() == s.Actor {
		return s.principal
	}
	return auth.Principal{Subject: s.Actor.ID, Role: s.Actor.Role, Org: s.Actor.Org}
}

// Stop shuts the service down gracefully, as a signal would; a test may then
// start it again on the same infrastructure.
func (s *Stack) Stop() { s.stop() }

// Infra is the PostgreSQL schema and NATS server components of one test
// share (a projector and the query API reading what it writes).
type Infra struct {
	Pool   *pgxpool.Pool
	Schema string
	NATS   *server.Server
	// BreakGlassURL, if set, is the query API whose break-glass grants the
	// services started on this infrastructure honour.
	BreakGlassURL string
}

// NewInfra makes a fresh schema and NATS server for the test.
func NewInfra(t testing.TB) *Infra {
	t.Helper()
	pool, schema := testkit.Postgres(t)
	return &Infra{Pool: pool, Schema: schema, NATS: testkit.NATS(t)}
}

// WithNewSchema returns infrastructure on the same NATS server with a
// fresh schema of its own: each service owns its data, and all of them
// publish to one JetStream.
func (i *Infra) WithNewSchema(t testing.TB) *Infra {
	t.Helper()
	pool, schema := testkit.Postgres(t)
	return &Infra{Pool: pool, Schema: schema, NATS: i.NATS, BreakGlassURL: i.BreakGlassURL}
}

// Start runs a service named name with opts until the test ends, on its
// own infrastructure. The OpenAPI document must be valid and list exactly
// the service's routes.
func Start(t testing.TB, name string, opts service.Options) *Stack {
	t.Helper()
	return StartIn(t, NewInfra(t), name, opts)
}

// StartIn is Start on shared infrastructure.
func StartIn(t testing.TB, infra *Infra, name string, opts service.Options) *Stack {
	t.Helper()
	if opts.OpenAPI == nil {
		t.Fatal("servicetest: the service has no OpenAPI document")
	}
	routes, err := service.RouteTable(opts)
	if err != nil {
		t.Fatal(err)
	}
	openapitest.MatchRoutes(t, opts.OpenAPI, routes)
	v := openapitest.Load(t, opts.OpenAPI)

	pool, schema, ns := infra.Pool, infra.Schema, infra.NATS
	cfg := service.Config{Name: name, Schema: schema, HTTPAddr: "127.0.0.1:0", DatabaseURL: testkit.DatabaseURL(t),
		NATSURL: ns.ClientURL(), StreamReplicas: 1, DuplicateWindow: time.Minute, ShutdownGrace: 5 * time.Second, Auth: AuthConfig(t),
		BreakGlassURL: infra.BreakGlassURL}
	addr := make(chan string, 1)
	opts.Started = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	go func() { done <- service.Run(ctx, cfg, opts, logger) }()
	s := &Stack{t: t, Schema: schema, Pool: pool, validator: v, Actor: DefaultPrincipal.Actor(), principal: DefaultPrincipal, logs: logs, name: name}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("service %s stopped with %v", name, err)
			}
		})
	}
	t.Cleanup(s.stop)
	select {
	case a := <-addr:
		s.URL = "http://" + a
	case err := <-done:
		t.Fatalf("service %s did not start: %v", name, err)
	case <-time.After(30 * time.Second):
		t.Fatalf("service %s did not start in 30s", name)
	}
	testkit.Eventually(t, 15*time.Second, func() bool { return s.Do("GET", "/readyz", nil, nil).Status == 200 }, "%s never became ready", name)
	requireTokens(t, s, routes)
	nc := testkit.Connect(t, ns.ClientURL())
	if s.JS, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}
	return s
}

// Response is a response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem decodes a problem+json body.
func (r Response) Problem(t testing.TB) httpkit.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != httpkit.ProblemContentType {
		t.Fatalf("status %d with content type %q, want a problem: %s", r.Status, ct, r.Body)
	}
	var p httpkit.Problem
	r.JSON(t, &p)
	return p
}

// Do sends a request (body: nil, a string of raw JSON, or a value to
// encode) with a token for the stack's principal and the given headers (an
// empty value removes a header, e.g. Authorization), and checks the
// response against the OpenAPI document.
func (s *Stack) Do(method, path string, body any, headers map[string]string) Response {
	s.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			s.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(raw))
	if err != nil {
		s.t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	s.Authorize(req)
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode >= 500 {
		s.t.Errorf("%s %s answered %d: %s", method, path, resp.StatusCode, b)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	check, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(raw))
	check.Header = req.Header
	if path != "/metrics" {
		s.validator.Response(s.t, check, resp)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Published is one event as JetStream holds it.
type Published struct {
	Subject  string
	Envelope events.Envelope
}

// WaitEvents waits until JetStream holds at least n events and returns
// them all in stream order.
func (s *Stack) WaitEvents(n int) []Published {
	s.t.Helper()
	var got []Published
	testkit.Eventually(s.t, 15*time.Second, func() bool { got = s.events(); return len(got) >= n }, "fewer than %d events published", n)
	return got
}

func (s *Stack) events() []Published {
	ctx := context.Background()
	st, err := s.JS.Stream(ctx, natskit.EventStream)
	if err != nil {
		return nil
	}
	info, err := st.Info(ctx)
	if err != nil || info.State.Msgs == 0 {
		return nil
	}
	c, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return nil
	}
	batch, err := c.Fetch(int(info.State.Msgs), jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		return nil
	}
	var out []Published
	for m := range batch.Messages() {
		env, err := events.Decode(m.Data())
		if err != nil {
			s.t.Errorf("published message on %s does not decode: %v", m.Subject(), err)
			continue
		}
		out = append(out, Published{Subject: m.Subject(), Envelope: env})
	}
	return out
}

// placeholder fills a route pattern's {params}.
var placeholder = regexp.MustCompile(`\{[^}]*\}`)

// requireTokens checks that every route but the public ones refuses a
// request without a bearer token, or with one that is not valid, before
// doing anything: 401 with a problem naming Authorization.
func requireTokens(t testing.TB, s *Stack, routes []string) {
	t.Helper()
	for _, route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		path := placeholder.ReplaceAllString(pattern, "x")
		if slices.Contains(auth.Public, path) {
			continue
		}
		for _, authorization := range []string{"", "Bearer not-a-token"} {
			req, _ := http.NewRequest(method, s.URL+path, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			if authorization != "" {
				req.Header.Set("Authorization", authorization)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != httpkit.ProblemContentType || !strings.Contains(string(b), `"Authorization"`) {
				t.Errorf("%s with Authorization %q = %d %s, want 401 naming Authorization", route, authorization, resp.StatusCode, b)
			}
		}
	}
}

// Authorize sets a request's bearer token to one for the stack's
// principal, for requests a test sends itself (a live feed, say).
func (s *Stack) Authorize(req *http.Request) {
	req.Header.Set("Authorization", "Bearer "+Token(s.t, s.Principal()))
}

// The tests' token issuer: one per test binary, served over HTTP as an
// identity provider would be.
var (
	issuerOnce sync.Once
	issuer     *auth.Issuer
)

// Audience is the audience of the tests' tokens.
const Audience = "careweave"

// Issuer returns the tests' token issuer.
func Issuer(t testing.TB) *auth.Issuer {
	t.Helper()
	issuerOnce.Do(func() {
		var iss *auth.Issuer
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { iss.Handler(Audience).ServeHTTP(w, r) }))
		var err error
		if iss, err = auth.NewIssuer(srv.URL, auth.NewKey()); err != nil {
			panic(err)
		}
		issuer = iss
	})
	return issuer
}

// AuthConfig is a service's configuration for the tests' tokens.
func AuthConfig(t testing.TB) auth.Config {
	i := Issuer(t)
	return auth.Config{Issuer: i.URL(), Audience: Audience, JWKSURL: i.JWKSURL()}
}

// Token mints a token for p.
func Token(t testing.TB, p auth.Principal) string {
	t.Helper()
	tok, err := Issuer(t).Mint(p, Audience, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// ServiceClient is an HTTP client that calls other services as a
// Careweave process does: with its own client-credentials token.
func ServiceClient(t testing.TB) *http.Client {
	i := Issuer(t)
	return auth.ClientConfig{TokenURL: i.URL() + "/token", ClientID: "careweave-test", Audience: Audience}.HTTPClient(context.Background(), patientref.Timeout)
}

// Trail returns the access records the service holds on patient's audit
// trail, in order; anything else there, or a record filed by another
// service or about another patient, fails the test.
func (s *Stack) Trail(patient string) []access.AccessRecorded {
	s.t.Helper()
	store, err := eventstore.New(s.Pool, s.Schema)
	if err != nil {
		s.t.Fatal(err)
	}
	envs, err := store.Load(s.t.Context(), access.Stream(patient), 0)
	if err != nil {
		s.t.Fatal(err)
	}
	reg := access.Registry()
	out := make([]access.AccessRecorded, 0, len(envs))
	for _, en := range envs {
		d, err := reg.Decode(en)
		if err != nil {
			s.t.Fatal(err)
		}
		rec, ok := d.(access.AccessRecorded)
		if !ok || en.Area != s.name || en.Subject != patient {
			s.t.Fatalf("on %s's trail: %T from %q about %q", patient, d, en.Area, en.Subject)
		}
		out = append(out, rec)
	}
	return out
}
