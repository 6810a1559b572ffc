package httpkit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/careweave/careweave/kit/httpkit"
)

type visitRequest struct {
	Reason  string    `json:"reason"`
	VisitBy time.Time `json:"visitBy"`
	Urgency int       `json:"urgency"`
	Nested  struct {
		Code string `json:"code"`
	} `json:"nested"`
}

func decode(body, contentType string, max int64) (visitRequest, error) {
	var v visitRequest
	r := httptest.NewRequest(http.MethodPost, "/v1/visits", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return v, httpkit.DecodeJSON(httptest.NewRecorder(), r, &v, max)
}

func TestDecodeJSONNamesTheProblem(t *testing.T) {
	cases := []struct {
		name, body, contentType string
		kind                    httpkit.Kind
		field                   string
	}{
		{"empty", ``, "application/json", httpkit.KindInvalid, "body"},
		{"syntax", `{"reason":`, "application/json", httpkit.KindInvalid, "body"},
		{"garbage", `{"reason" "x"}`, "application/json", httpkit.KindInvalid, "body"},
		{"unknown field", `{"reason":"fall","colour":"red"}`, "application/json", httpkit.KindInvalid, "colour"},
		{"wrong type", `{"urgency":"high"}`, "application/json", httpkit.KindInvalid, "urgency"},
		{"nested wrong type", `{"nested":{"code":7}}`, "application/json", httpkit.KindInvalid, "nested.code"},
		{"two values", `{"reason":"a"}{"reason":"b"}`, "application/json", httpkit.KindInvalid, "body"},
		{"not an object", `[1,2]`, "application/json", httpkit.KindInvalid, "body"},
		{"too large", `{"reason":"` + strings.Repeat("x", 200) + `"}`, "application/json", httpkit.KindTooLarge, ""},
		{"wrong media type", `{"reason":"fall"}`, "text/plain", httpkit.KindUnsupportedMediaType, "Content-Type"},
		{"bad time", `{"visitBy":"tomorrow"}`, "application/json", httpkit.KindInvalid, "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decode(c.body, c.contentType, 100)
			var e *httpkit.Error
			if !errors.As(err, &e) || e.Kind != c.kind {
				t.Fatalf("DecodeJSON = %v, want kind %d", err, c.kind)
			}
			if c.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != c.field) {
				t.Fatalf("fields = %+v, want %q named", e.Fields, c.field)
			}
		})
	}
	v, err := decode(`{"reason":"fall","urgency":2}`, "application/json; charset=utf-8", 100)
	if err != nil || v.Reason != "fall" || v.Urgency != 2 {
		t.Fatalf("DecodeJSON(valid) = %+v, %v", v, err)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add(`{"reason":"fall","urgency":2,"nested":{"code":"x"}}`)
	f.Add(`{"visitBy":"2026-03-29T01:30:00Z"}`)
	f.Add(`{"a":`)
	f.Fuzz(func(t *testing.T, body string) {
		_, err := decode(body, "application/json", 1024)
		if err == nil {
			return
		}
		// Every failure is a client error with a reason, never internal.
		k := httpkit.KindOf(err)
		if k != httpkit.KindInvalid && k != httpkit.KindTooLarge {
			t.Fatalf("DecodeJSON(%q) = %v (kind %d), want a 400 or 413", body, err, k)
		}
	})
}

func TestWriteErrorAnswersProblemJSON(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	cases := []struct {
		err    error
		status int
	}{
		{httpkit.Invalid("visitBy", "must be after notBefore"), 400},
		{httpkit.Errorf(httpkit.KindConflict, "the visit is completed; it cannot be cancelled"), 409},
		{httpkit.Errorf(httpkit.KindPreconditionFailed, "stale version"), 412},
		{httpkit.Errorf(httpkit.KindNotFound, "no such visit"), 404},
		{errors.New("pq: connection refused to 10.0.0.3"), 500},
		// What a database restart looks like to a request: retry, not a bug.
		{fmt.Errorf("look up idempotency key: %w", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}), 503},
		{fmt.Errorf("read: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to unexpected postmaster exit"}), 503},
		{fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused 10.0.0.3")}), 503},
		{fmt.Errorf("append: %w", context.DeadlineExceeded), 503},
		{&pgconn.PgError{Code: "23505", Message: "duplicate key value"}, 500}, // a bug, not an outage
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		httpkit.WriteError(rec, httptest.NewRequest("POST", "/v1/visits", nil), logger, c.err)
		if rec.Code != c.status || rec.Header().Get("Content-Type") != httpkit.ProblemContentType {
			t.Errorf("%v: status %d, content type %q", c.err, rec.Code, rec.Header().Get("Content-Type"))
		}
		var p httpkit.Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != c.status || p.Detail == "" {
			t.Errorf("%v: body %s", c.err, rec.Body)
		}
		if (c.status == 503) != (rec.Header().Get("Retry-After") == "1") {
			t.Errorf("%v: Retry-After %q", c.err, rec.Header().Get("Retry-After"))
		}
		if c.status >= 500 && strings.Contains(rec.Body.String(), "10.0.0.3") {
			t.Errorf("internal detail leaked to the caller: %s", rec.Body)
		}
	}
	if !strings.Contains(logs.String(), "10.0.0.3") {
		t.Error("internal error was not logged")
	}
}

func TestMiddlewareTurnsPanicIntoProblem(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("nil map") })
	h := httpkit.Middleware(slog.New(slog.DiscardHandler), time.Now)(mux)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/boom", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	h.ServeHTTP(rec, req)
	if rec.Code != 500 || rec.Header().Get("X-Request-Id") != "abc-123" || !strings.Contains(rec.Body.String(), `"requestId":"abc-123"`) {
		t.Fatalf("panic answered %d %s", rec.Code, rec.Body)
	}
}

func TestReadinessReportsEachCheck(t *testing.T) {
	failing := true
	mux := httpkit.NewRouter()
	httpkit.NewHealth(map[string]httpkit.Check{
		"postgres": func(context.Context) error { return nil },
		"nats": func(context.Context) error {
			if failing {
				return errors.New("nats: no servers available")
			}
			return nil
		},
	}, time.Second).Register(mux)

	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz = %d", code)
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, `"name":"nats","status":"failing"`) {
		t.Fatalf("/readyz with NATS down = %d %s", code, body)
	}
	failing = false
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, `"status":"ready"`) {
		t.Fatalf("/readyz = %d %s", code, body)
	}
}

func TestServeFinishesInFlightRequestsOnShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- httpkit.Serve(ctx, ln, mux, 10*time.Second, slog.New(slog.DiscardHandler)) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	cancel() // shutdown begins while the request is in flight
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v before the in-flight request finished", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "done" {
		t.Fatalf("in-flight request: %q, %v", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/slow"); err == nil {
		t.Fatal("server still accepts requests after shutdown")
	}
}
