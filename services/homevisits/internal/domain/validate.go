package domain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/careweave/careweave/kit/domain"
)

// Lengths of free text, in characters.
const (
	// MaxReasonLen bounds reasons: the request's, a decline's, a
	// reassignment's, no access, a cancellation's notes and an escalation's.
	MaxReasonLen = 500
	// MaxNotesLen bounds clinical notes: triage and completion notes.
	MaxNotesLen = 1000
)

// text trims s and checks it is at most max characters of text (newlines and
// tabs allowed, other control characters not).
func text(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", domain.Invalid(field, "is required")
		}
		return "", nil
	}
	if !utf8.ValidString(s) {
		return "", domain.Invalid(field, "must be UTF-8 text")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", domain.Invalid(field, fmt.Sprintf("must be at most %d characters; it has %d", max, n))
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return "", domain.Invalid(field, "must not contain control characters")
		}
	}
	return s, nil
}

// checkPatient checks an opaque patient reference: what the envelope's
// subject allows (1-64 letters, digits, '-' or '_'), and never something that
// looks like an NHS number.
func checkPatient(s string) error {
	if s == "" {
		return domain.Invalid("patient", "is required")
	}
	if !isToken(s, 64) {
		return domain.Invalid("patient", "must be an opaque reference of 1-64 letters, digits, '-' or '_'")
	}
	if len(s) == 10 && strings.Trim(s, "0123456789") == "" {
		return domain.Invalid("patient", "must be an opaque patient reference, never an NHS number")
	}
	return nil
}

// checkODS checks an ODS code as the directory writes them: 3-8 upper-case
// letters or digits.
func checkODS(field, s string) error {
	if s == "" {
		return domain.Invalid(field, "is required")
	}
	if len(s) < 3 || len(s) > 8 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return domain.Invalid(field, "must be an ODS code of 3-8 upper-case letters or digits")
	}
	return nil
}

// checkDirectoryID checks a directory id (clinician, care home): lower-case
// letters, digits and '-', 2-64 long, not starting with '-'.
func checkDirectoryID(field, s string) error {
	if s == "" {
		return domain.Invalid(field, "is required")
	}
	if len(s) < 2 || len(s) > 64 || s[0] == '-' || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return domain.Invalid(field, "must be a directory id of 2-64 lower-case letters, digits or '-'")
	}
	return nil
}

// checkActing checks that the clinician acting is the one the visit is
// assigned to.
func checkActing(s VisitState, clinicianID string) error {
	if clinicianID == "" {
		return domain.Invalid("clinicianId", "is required")
	}
	if clinicianID != s.ClinicianID {
		return domain.Invalid("clinicianId", "is not the clinician this visit is assigned to")
	}
	return nil
}

// isToken reports whether s is 1..max characters of [A-Za-z0-9_-].
func isToken(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// exists is the guard of every command but the one that creates a visit.
func exists(version int64) error {
	if version == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// refuse says the visit's state does not allow the command, named by its
// past participle ("cancelled").
func refuse(s VisitState, command string) error {
	return domain.Refuse(Aggregate, string(s.Status), command)
}
