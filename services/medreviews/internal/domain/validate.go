package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// Limits on free text, in characters. They keep one event far below the
// envelope's size limit.
const (
	maxSummary      = 4000
	maxReason       = 1000
	maxNote         = 1000
	maxMedicineName = 200
	maxDose         = 200
)

var (
	// odsCode matches practice and PCN ODS codes, as the directory does.
	odsCode = regexp.MustCompile(`^[A-Z0-9]{3,8}$`)
	// directoryID matches clinician and care home ids, as the directory does.
	directoryID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)
	// roleName matches a directory role name.
	roleName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)
	// patientRef is the envelope subject's alphabet.
	patientRef = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// tenDigits is what an NHS number looks like.
	tenDigits = regexp.MustCompile(`^[0-9]{10}$`)
	// dmdCode is a SNOMED CT identifier: 6 to 18 digits, no leading zero.
	dmdCode = regexp.MustCompile(`^[1-9][0-9]{5,17}$`)
)

func checkPatient(field, s string) error {
	switch {
	case s == "":
		return domain.Invalid(field, "is required")
	case tenDigits.MatchString(s):
		// An NHS number must never become a subject, a stream or a log line.
		return domain.Invalid(field, "must be the opaque patient reference, not an NHS number")
	case !patientRef.MatchString(s):
		return domain.Invalid(field, "must be an opaque reference of 1-64 letters, digits, '-' or '_'")
	}
	return nil
}

func checkODS(field, s string) error {
	if s == "" {
		return domain.Invalid(field, "is required")
	}
	if !odsCode.MatchString(s) {
		return domain.Invalid(field, "must be an ODS code of 3-8 upper-case letters or digits")
	}
	return nil
}

func checkDirectoryID(field, s string) error {
	if s == "" {
		return domain.Invalid(field, "is required")
	}
	if !directoryID.MatchString(s) {
		return domain.Invalid(field, "must be a directory id of 2-64 lower-case letters, digits or '-'")
	}
	return nil
}

// checkClinician checks a clinician who reviews medicines: the id given in
// field, and the role the API layer found for it in the directory ("" when
// the directory does not know the id).
func checkClinician(field, id string, role medreviews.ClinicianRole) error {
	if err := checkDirectoryID(field, id); err != nil {
		return err
	}
	if role == "" {
		return domain.Invalid(field, "is not a clinician in the directory")
	}
	if !role.Valid() {
		return domain.Invalid(field, "is not a clinical pharmacist or a GP: only they review medicines")
	}
	return nil
}

// requiredText trims s and checks it is present, printable and not too long.
// Multi-line text may hold line breaks and tabs.
func requiredText(field, s string, max int, multiline bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", domain.Invalid(field, "is required")
	}
	return optionalText(field, s, max, multiline)
}

// optionalText trims s and, if present, checks it as requiredText does.
func optionalText(field, s string, max int, multiline bool) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", domain.Invalid(field, "must be UTF-8 text")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", domain.Invalid(field, fmt.Sprintf("is %d characters; the limit is %d", n, max))
	}
	for _, c := range s {
		if unicode.IsControl(c) && !(multiline && (c == '\n' || c == '\r' || c == '\t')) {
			return "", domain.Invalid(field, "must not hold control characters")
		}
	}
	return s, nil
}

// pastTime returns when something happened: t, or now when t is zero. It
// may not be after now (the command's clock) nor before notBefore.
func pastTime(field string, t, now, notBefore time.Time) (time.Time, error) {
	if t.IsZero() {
		t = now
	}
	t = t.UTC()
	if t.After(now) {
		return time.Time{}, domain.Invalid(field, "is in the future")
	}
	if t.Before(notBefore) {
		return time.Time{}, domain.Invalid(field, "is before "+notBefore.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// days returns t plus n days, as calendar days so a due date keeps its time
// of day in UTC.
func days(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// missing reports a version-0 aggregate: nothing to act on.
func missing(version int64) error {
	if version == 0 {
		return domain.ErrNotFound
	}
	return nil
}
