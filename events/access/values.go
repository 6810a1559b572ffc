package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/careweave/careweave/events"
)

// Outcome is whether an access was let through.
type Outcome string

// Outcomes.
const (
	Allowed Outcome = "allowed"
	Denied  Outcome = "denied"
)

// Outcomes returns every Outcome.
func Outcomes() []Outcome { return []Outcome{Allowed, Denied} }

// Valid reports whether o is a known Outcome.
func (o Outcome) Valid() bool { return slices.Contains(Outcomes(), o) }

// ParseOutcome returns the Outcome spelled s.
func ParseOutcome(s string) (Outcome, error) { return parse(s, Outcomes()) }

// Basis is what an access rested on: a legitimate relationship with the
// patient ("relationship:<kind>"), break-glass, or nothing (a denial).
type Basis string

// Bases that are not relationships.
const (
	// BreakGlass: no recorded relationship; the caller broke the glass with
	// a reason, for a limited time (BreakGlassGranted).
	BreakGlass Basis = "break-glass"
	// NoBasis: nothing entitled the caller; the access was denied.
	NoBasis Basis = "none"
)

// RelationshipPrefix starts every relationship basis.
const RelationshipPrefix = "relationship:"

// Relationship kinds Careweave knows today. The set is open (a new kind of
// relationship is a new token, not a new contract version), but every kind
// is a short lower-case token.
const (
	// RegisteredInPCN: the patient is registered at a practice of the
	// caller's PCN.
	RegisteredInPCN = "registered-in-pcn"
	// AssignedVisit: the caller is assigned a home visit to the patient.
	AssignedVisit = "assigned-visit"
	// RoutedDischarge: the patient's discharge follow-up is routed to the
	// caller's community team.
	RoutedDischarge = "routed-discharge"
	// SMRCaseload: the patient is on the caller's structured medication
	// review caseload.
	SMRCaseload = "smr-caseload"
	// AlignedCareHome: the patient lives in a care home aligned to the
	// caller's PCN.
	AlignedCareHome = "aligned-care-home"
)

// MaxRelationshipLen bounds a relationship kind.
const MaxRelationshipLen = 48

// Relationship returns the basis of a relationship of the given kind, e.g.
// Relationship(AssignedVisit) is "relationship:assigned-visit". Check it
// with Valid.
func Relationship(kind string) Basis { return Basis(RelationshipPrefix + kind) }

// Relationship returns the kind of a relationship basis.
func (b Basis) Relationship() (kind string, ok bool) {
	kind, ok = strings.CutPrefix(string(b), RelationshipPrefix)
	return kind, ok && isWord(kind, MaxRelationshipLen, '-')
}

// Valid reports whether b is break-glass, none, or a relationship of a
// well-formed kind.
func (b Basis) Valid() bool {
	if b == BreakGlass || b == NoBasis {
		return true
	}
	_, ok := b.Relationship()
	return ok
}

// ParseBasis returns the Basis spelled s.
func ParseBasis(s string) (Basis, error) {
	if b := Basis(s); b.Valid() {
		return b, nil
	}
	return "", errors.New(`must be "break-glass", "none" or "relationship:<kind>" with a lower-case kind such as registered-in-pcn`)
}

// MaxReasonLen bounds a break-glass reason, in characters.
const MaxReasonLen = 500

// CheckReason says what is wrong with a break-glass reason, or nil: the
// caller's own words, 1 to MaxReasonLen characters of valid UTF-8 without
// control characters, and without anything shaped like an NHS number. An
// API that takes a reason checks it with this before anything else, so the
// caller gets a 400 rather than an access that cannot be recorded.
func CheckReason(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("is required: say why")
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxReasonLen:
		return fmt.Errorf("must be at most %d characters of text", MaxReasonLen)
	case strings.ContainsFunc(s, unicode.IsControl):
		return errors.New("must be one line of text without control characters")
	case holdsNHSNumber(s):
		return errors.New("must not hold an NHS number: the record says which patient")
	}
	return nil
}

// holdsNHSNumber reports whether s holds ten digits in a row, or grouped
// 3-3-4 by single spaces or dashes, not part of a longer run of digits.
func holdsNHSNumber(s string) bool {
	digits := func(i, n int) bool {
		if i+n > len(s) {
			return false
		}
		for j := i; j < i+n; j++ {
			if s[j] < '0' || s[j] > '9' {
				return false
			}
		}
		return true
	}
	sep := func(i int) bool { return i < len(s) && (s[i] == ' ' || s[i] == '-') }
	isDigit := func(i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }
	for i := range len(s) {
		if isDigit(i-1) || !isDigit(i) {
			continue
		}
		if digits(i, 10) && !isDigit(i+10) {
			return true
		}
		if digits(i, 3) && sep(i+3) && digits(i+4, 3) && sep(i+7) && digits(i+8, 4) && !isDigit(i+12) {
			return true
		}
	}
	return false
}

// Action is what the caller did: a short token such as read-timeline, or
// change:<event type> for a change that recorded events of that type.
type Action string

// Actions of the read side.
const (
	ReadTimeline  Action = "read-timeline"
	ReadSummary   Action = "read-summary"
	ReadAccessLog Action = "read-access-log"
	// ReadRecord: GET of one record (a visit, a review, a stay, ...) on
	// the service that owns it.
	ReadRecord Action = "read-record"
)

// ChangePrefix starts every change action.
const ChangePrefix = "change:"

// MaxActionLen bounds an action.
const MaxActionLen = 128

// Change returns the action of a change that recorded events of
// eventType: its wire name (careweave.homevisits.visit_triaged.v1) or just
// its event name (visit_triaged).
func Change(eventType string) Action { return Action(ChangePrefix + eventType) }

// IsChange reports whether a is a change action.
func (a Action) IsChange() bool { return strings.HasPrefix(string(a), ChangePrefix) }

// Valid reports whether a is a lower-case token of letters, digits and
// '-' (read-timeline), or "change:" and a wire type name or an event name.
func (a Action) Valid() bool {
	if len(a) > MaxActionLen {
		return false
	}
	if what, ok := strings.CutPrefix(string(a), ChangePrefix); ok {
		_, err := events.ParseTypeName(what)
		return err == nil || isWord(what, 64, '_')
	}
	return isWord(string(a), 64, '-')
}

// ParseAction returns the Action spelled s.
func ParseAction(s string) (Action, error) {
	if a := Action(s); a.Valid() {
		return a, nil
	}
	return "", errors.New("must be a lower-case token such as read-timeline, or change:<event type>")
}

// parse returns the value of all spelled exactly s, or an error listing the
// values (safe to show: it never echoes s).
func parse[T ~string](s string, all []T) (T, error) {
	for _, v := range all {
		if string(v) == s {
			return v, nil
		}
	}
	names := make([]string, len(all))
	for i, v := range all {
		names[i] = string(v)
	}
	return "", fmt.Errorf("must be one of: %s", strings.Join(names, ", "))
}

// isWord reports whether s is 1..max characters: a lower-case letter, then
// lower-case letters, digits and sep.
func isWord(s string, max int, sep byte) bool {
	if len(s) == 0 || len(s) > max || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == sep) {
			return false
		}
	}
	return true
}
