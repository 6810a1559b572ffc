// Package domain holds the few error types every aggregate's decide
// functions return. It imports only the standard library, so domain code
// that uses it stays free of infrastructure; httpkit maps these errors to
// HTTP statuses in its one mapping.
package domain

import (
	"errors"
	"fmt"
)

// FieldError says a command's field is invalid and why (400).
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Invalid returns a *FieldError.
func Invalid(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

// TransitionError says the aggregate's current state does not allow the
// command (409). State is named so the caller knows why.
type TransitionError struct {
	Aggregate string // "visit"
	State     string // "completed"
	Command   string // "cancel"
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("the %s is %s; it cannot be %s", e.Aggregate, e.State, e.Command)
}

// Refuse returns a *TransitionError.
func Refuse(aggregate, state, command string) error {
	return &TransitionError{Aggregate: aggregate, State: state, Command: command}
}

// ErrNotFound means the aggregate does not exist (404).
var ErrNotFound = errors.New("not found")

// ErrAlreadyExists means a creating command found the aggregate there (409).
var ErrAlreadyExists = errors.New("already exists")

// ErrStale means the caller's expected version (If-Match) is not the
// aggregate's current one (412).
var ErrStale = errors.New("the record has changed since it was read")
