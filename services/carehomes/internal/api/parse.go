package api

import (
	"time"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/nhsno"
)

// parseTime reads an RFC 3339 instant; an empty optional one is the zero
// time (the domain reads it as "now").
func parseTime(field, s string, required bool) (time.Time, error) {
	if s == "" {
		if required {
			return time.Time{}, httpkit.Invalid(field, "is required: an instant like 2026-11-24T10:00:00Z")
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, httpkit.Invalid(field, "must be an instant like 2026-11-24T10:00:00Z or 2026-06-02T10:00:00+01:00")
	}
	return t.UTC(), nil
}

// clinician resolves a clinician id to its directory role.
func clinician(dir *directory.Directory, field, id string) (string, error) {
	if id == "" {
		return "", httpkit.Invalid(field, "is required: a clinician id from the directory")
	}
	c, ok := dir.Clinician(id)
	if !ok {
		return "", httpkit.Invalid(field, "is not a clinician in the directory")
	}
	return string(c.Role), nil
}

// careHome resolves a care home id.
func careHome(dir *directory.Directory, field, id string) (directory.CareHome, error) {
	if id == "" {
		return directory.CareHome{}, httpkit.Invalid(field, "is required: a care home id from the directory")
	}
	h, ok := dir.CareHome(id)
	if !ok {
		return directory.CareHome{}, httpkit.Invalid(field, "is not a care home in the directory")
	}
	return h, nil
}

// patientNamed checks a request names its patient by exactly one of a
// reference or an NHS number, and that a number passes its check digit,
// before the registry is asked. The number is never echoed.
func patientNamed(ref, nhsNumber string) error {
	switch {
	case ref != "" && nhsNumber != "":
		return httpkit.Invalid("patient", "give the patient reference or the NHS number, not both")
	case ref == "" && nhsNumber == "":
		return httpkit.Invalid("patient", "is required: a patient reference, or nhsNumber")
	case nhsNumber != "":
		n, err := nhsno.Parse(nhsNumber)
		if err != nil {
			return httpkit.Invalid("nhsNumber", err.Error())
		}
		if !nhsno.IsSynthetic(n) {
			return httpkit.Invalid("nhsNumber", "this system holds synthetic data only: use a number from the 999 range")
		}
	}
	return nil
}
