package httpkit

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/careweave/careweave/events"
)

type requestIDKey struct{}

// RequestID returns the request's id (from X-Request-Id or generated).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Middleware wraps every API: a request id (kept from X-Request-Id when it
// is a sane token, so a caller's trace carries through), panic recovery into
// a 500 problem, and one access-log line per request. The log names the
// route pattern, never the raw path or query, which may hold identifiers.
func Middleware(logger *slog.Logger, now func() time.Time) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := now()
			id := r.Header.Get("X-Request-Id")
			if !saneID(id) {
				id = events.NewID(start).String()
			}
			w.Header().Set("X-Request-Id", id)
			r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
			rec := &statusRecorder{ResponseWriter: w}
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					logger.Error("handler panicked", "request_id", id, "route", r.Pattern, "stack", string(debug.Stack()))
					if !rec.wrote {
						WriteError(rec, r, logger, Errorf(KindInternal, "an internal error occurred; it has been logged"))
					}
				}
				logger.Info("request", "request_id", id, "method", r.Method, "route", r.Pattern,
					"status", rec.status, "duration_ms", float64(now().Sub(start).Microseconds())/1000)
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

func saneID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wrote {
		s.status, s.wrote = http.StatusOK, true
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush for streaming responses.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
