package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/careweave/careweave/kit/domain"
)

// MaxClockSkew is how far in the future a reported time may be: hospital
// systems' clocks and ours differ by a little, and refusing an A03 because
// the ward PC is a minute fast would lose a discharge.
const MaxClockSkew = 5 * time.Minute

// checkReference checks an opaque reference (a patient or stay): 1-64
// letters, digits, '-' or '_', so it is safe as an envelope subject.
func checkReference(field, s string) error {
	if len(s) == 0 || len(s) > 64 {
		return domain.Invalid(field, "is required: 1-64 letters, digits, '-' or '_'")
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return domain.Invalid(field, "must be 1-64 letters, digits, '-' or '_'")
		}
	}
	return nil
}

// checkODS checks an ODS code (organisation or site): 3-8 upper-case
// letters or digits, e.g. RTE01, L84001, U84001.
func checkODS(field, s string) error {
	if len(s) < 3 || len(s) > 8 {
		return domain.Invalid(field, "must be an ODS code of 3-8 upper-case letters or digits")
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return domain.Invalid(field, "must be an ODS code of 3-8 upper-case letters or digits")
		}
	}
	return nil
}

// checkDirectoryID checks a directory id (team, care home, clinician): a
// lower-case letter or digit then 1-63 lower-case letters, digits or '-'.
func checkDirectoryID(field, s string) error {
	ok := len(s) >= 2 && len(s) <= 64 && s[0] != '-'
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			ok = false
		}
	}
	if !ok {
		return domain.Invalid(field, "must be a directory id: 2-64 lower-case letters, digits or '-'")
	}
	return nil
}

// checkRole checks a directory role: 2-64 lower-case letters, digits or
// '-', e.g. district-nurse.
func checkRole(field, s string) error {
	if checkDirectoryID(field, s) != nil {
		return domain.Invalid(field, "must be a directory role such as district-nurse")
	}
	return nil
}

// checkText checks a short free-text label (a ward name): present, at most
// max characters, no control characters.
func checkText(field, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return domain.Invalid(field, "is required")
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return domain.Invalid(field, fmt.Sprintf("must be at most %d characters", max))
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return domain.Invalid(field, "must not contain control characters")
	}
	return nil
}

// checkTime checks a reported time: present, not after now (give or take
// MaxClockSkew) and, when notBefore is set, not before it.
func checkTime(field string, t, now, notBefore time.Time, what string) error {
	switch {
	case t.IsZero():
		return domain.Invalid(field, "is required")
	case t.After(now.Add(MaxClockSkew)):
		return domain.Invalid(field, "is in the future")
	case !notBefore.IsZero() && t.Before(notBefore):
		return domain.Invalid(field, "is before "+what)
	}
	return nil
}

// refuse returns the refusal of a command in the stay's current state; why
// completes "it cannot be ...".
func refuse(s StayState, why string) error {
	return domain.Refuse(AggregateName, string(s.Status), why)
}

// exists is the guard of every command but Admit.
func exists(version int64) error {
	if version == 0 {
		return domain.ErrNotFound
	}
	return nil
}
