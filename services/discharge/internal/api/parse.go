package api

import (
	"time"

	"github.com/careweave/careweave/kit/httpkit"
)

// parseTime reads a request's instant: RFC 3339 with a zone offset, so a
// time entered in British Summer Time is never taken for UTC.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, httpkit.Invalid(field, "is required: a time such as 2026-11-27T14:30:00Z")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, httpkit.Invalid(field, "must be an RFC 3339 time with a zone, such as 2026-11-27T14:30:00Z")
	}
	return t.UTC(), nil
}

// parseEnum reads a request's enum value with one of the contract's
// Parse functions; its error lists the choices.
func parseEnum[T ~string](field, s string, parse func(string) (T, error)) (T, error) {
	v, err := parse(s)
	if err != nil {
		return "", httpkit.Invalid(field, err.Error())
	}
	return v, nil
}
