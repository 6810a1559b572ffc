package httpkit

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/careweave/careweave/kit/domain"
)

// ProblemContentType is the media type of RFC 9457 problem details.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object with Careweave's "errors"
// extension listing field-level reasons.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"requestId,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
}

// WriteError answers err as problem+json. Internal errors are logged with
// their detail and answered with a generic message.
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	e := asError(err)
	code := e.Kind.Status()
	if code >= 500 {
		logger.Error("request failed", "request_id", RequestID(r.Context()), "route", r.Pattern, "err", err)
	}
	if code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	WriteProblem(w, r, Problem{
		Type:   "about:blank",
		Title:  http.StatusText(code),
		Status: code,
		Detail: e.Message,
		Errors: e.Fields,
	})
}

// WriteProblem writes p.
func WriteProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	p.Instance = r.URL.Path
	p.RequestID = RequestID(r.Context())
	w.Header().Set("Content-Type", ProblemContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteJSON writes v as JSON with status code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// asError maps any error to an *Error: ours as they are, the domain's to
// their kinds, anything else to an internal error. With Kind.Status this is
// the one mapping from failures to HTTP.
func asError(err error) *Error {
	var (
		e  *Error
		fe *domain.FieldError
		te *domain.TransitionError
	)
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &fe):
		return &Error{Kind: KindInvalid, Message: "the request is invalid", Fields: []FieldError{{Field: fe.Field, Reason: fe.Reason}}}
	case errors.As(err, &te):
		return &Error{Kind: KindConflict, Message: te.Error()}
	case errors.Is(err, domain.ErrNotFound):
		return &Error{Kind: KindNotFound, Message: "no such record"}
	case errors.Is(err, domain.ErrAlreadyExists):
		return &Error{Kind: KindConflict, Message: "the record already exists"}
	case errors.Is(err, domain.ErrStale):
		return &Error{Kind: KindPreconditionFailed, Message: "the record has changed since you read it: fetch it again and retry with its new ETag"}
	case unavailable(err):
		return &Error{Kind: KindUnavailable, Message: "the service cannot reach what it needs right now: retry shortly (a change sent again with the same Idempotency-Key is made at most once)", Err: err}
	default:
		return &Error{Kind: KindInternal, Message: "an internal error occurred; it has been logged", Err: err}
	}
}
