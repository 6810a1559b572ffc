package httpkit

import (
	"fmt"
	"net/http"
)

// Kind is one of the small closed set of failure kinds an API reports.
type Kind int

// The kinds. Anything not wrapped in an *Error is KindInternal.
const (
	KindInternal Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindPreconditionFailed
	KindPreconditionRequired
	KindTooLarge
	KindUnprocessable
	KindUnsupportedMediaType
	KindUnauthorized
	KindForbidden
	KindUnavailable
)

// status maps every kind to its HTTP status: the one place that does.
var status = map[Kind]int{
	KindInternal:             http.StatusInternalServerError,
	KindInvalid:              http.StatusBadRequest,
	KindNotFound:             http.StatusNotFound,
	KindConflict:             http.StatusConflict,
	KindPreconditionFailed:   http.StatusPreconditionFailed,
	KindPreconditionRequired: http.StatusPreconditionRequired,
	KindTooLarge:             http.StatusRequestEntityTooLarge,
	KindUnprocessable:        http.StatusUnprocessableEntity,
	KindUnsupportedMediaType: http.StatusUnsupportedMediaType,
	KindUnauthorized:         http.StatusUnauthorized,
	KindForbidden:            http.StatusForbidden,
	KindUnavailable:          http.StatusServiceUnavailable,
}

// Status returns the HTTP status of a kind.
func (k Kind) Status() int { return status[k] }

// FieldError says which field of a request is wrong and why. Field is a
// JSON pointer-like path ("visitBy", "patient.nhsNumber") or a header or
// query parameter name.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is a failure an API reports to its caller. Message is shown to the
// caller, so it must never carry patient identifiers or internal detail.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	// Err is the underlying cause, logged but never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error of kind k.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports one bad field.
func Invalid(field, reason string) *Error {
	return &Error{Kind: KindInvalid, Message: "the request is invalid", Fields: []FieldError{{Field: field, Reason: reason}}}
}

// KindOf returns err's kind: KindInternal unless it wraps an *Error.
func KindOf(err error) Kind { return asError(err).Kind }
