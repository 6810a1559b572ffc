package consumer

import (
	"errors"

	"github.com/careweave/careweave/events"
)

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as one that retrying cannot fix: the message goes to
// the poison queue at once, with err's text as the reason. The text must not
// carry patient identifiers.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err should send the message to the poison
// queue: marked Permanent, or an envelope that does not decode.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p) || errors.Is(err, events.ErrMalformed)
}
