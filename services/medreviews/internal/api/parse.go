package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
)

// The request parsers below are pure: no I/O, no clock (now is passed in).
// They turn a decoded body into a domain command, looking up in the
// directory what the domain needs, and leave the rules of the review to the
// domain. Errors are 400s naming the JSON field; the fuzz tests hold them
// to that.

// parseTime parses an RFC 3339 time with its offset ("2026-03-18T10:30:00Z"
// or "...+01:00"): a time without an offset is ambiguous across BST. An
// empty optional time is the zero time (the domain reads it as now).
func parseTime(field, s string, required bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return time.Time{}, httpkit.Invalid(field, "is required")
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, httpkit.Invalid(field, "must be an RFC 3339 time with an offset, such as 2026-03-18T10:30:00Z")
	}
	return t.UTC(), nil
}

// clinicianRole returns the directory role of clinician id as the domain
// names roles, or "" when the directory does not know id (the domain then
// refuses it, naming the field).
func clinicianRole(dir *directory.Directory, id string) medreviews.ClinicianRole {
	c, ok := dir.Clinician(strings.TrimSpace(id))
	if !ok {
		return ""
	}
	return medreviews.ClinicianRole(c.Role)
}

// enum checks a request's enum value, naming the field and what it may be.
func enum[T ~string](field, s string, parse func(string) (T, error), known []T) (T, error) {
	if s == "" {
		return "", httpkit.Invalid(field, "is required")
	}
	v, err := parse(s)
	if err != nil {
		return "", httpkit.Invalid(field, fmt.Sprintf("must be one of %v", known))
	}
	return v, nil
}
