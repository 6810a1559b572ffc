package domain

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/careweave/careweave/kit/domain"
)

// FutureSkew is how far past Now an occurrence time may be and still be
// accepted: the caller's and the server's clocks never agree exactly.
const FutureSkew = 5 * time.Minute

// Text limits, in characters.
const (
	maxShortText = 500  // reasons, notes
	maxLongText  = 2000 // outcomes, descriptions
)

// errNoClock is a caller's bug: every command that needs the time carries
// Now from the injected clock.
var errNoClock = errors.New("carehomes: the command carries no Now")

var (
	// A patient reference is opaque, as in the envelope's subject.
	patientRef = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// Directory ids of clinicians, care homes and teams (kit/directory).
	directoryID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)
	// ODS codes of PCNs (kit/directory).
	odsCode = regexp.MustCompile(`^[A-Z0-9]{3,8}$`)
	// Clinician roles, as the directory names them ("gp", "district-nurse").
	roleName = regexp.MustCompile(`^[a-z][a-z0-9-]{1,63}$`)
	// Ids the caller chooses for rounds and actions.
	localID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	// Ten digits: what an NHS number looks like once spaces are gone.
	nhsNumberLike = regexp.MustCompile(`^[0-9]{10}$`)
)

func checkPatient(field, v string) error {
	if !patientRef.MatchString(v) {
		return domain.Invalid(field, "is required: an opaque patient reference of 1-64 letters, digits, '-' or '_'")
	}
	if nhsNumberLike.MatchString(v) {
		return domain.Invalid(field, "looks like an NHS number: pass the opaque patient reference instead")
	}
	return nil
}

func checkDirectoryID(field, v string) error {
	if !directoryID.MatchString(v) {
		return domain.Invalid(field, "is required: a directory id such as gp-amara-okafor")
	}
	return nil
}

func checkRole(field, v string) error {
	if !roleName.MatchString(v) {
		return domain.Invalid(field, "is required: the clinician's role in the directory, such as gp")
	}
	return nil
}

func checkArea(field, v string) error {
	if !odsCode.MatchString(v) {
		return domain.Invalid(field, "is required: the PCN's ODS code, such as U84001")
	}
	return nil
}

func checkLocalID(field, v string) error {
	if !localID.MatchString(v) {
		return domain.Invalid(field, "is required: 1-64 letters, digits, '-' or '_'")
	}
	return nil
}

// text trims s and checks it against max characters; required text must not
// be empty. Control characters other than line breaks and tab are refused.
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
		return "", domain.Invalid(field, fmt.Sprintf("is %d characters; the limit is %d", n, max))
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return "", domain.Invalid(field, "must not contain control characters")
		}
	}
	return s, nil
}

// occurredAt returns when something happened: at, or now when at is zero. It
// refuses times in the future.
func occurredAt(field string, at, now time.Time) (time.Time, error) {
	if now.IsZero() {
		return time.Time{}, errNoClock
	}
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(FutureSkew)) {
		return time.Time{}, domain.Invalid(field, "is in the future")
	}
	return at.UTC(), nil
}
