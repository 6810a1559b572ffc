package carehomes

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date, "2006-01-02", in the care home's local calendar
// (Europe/London). Due dates are days, not instants: carrying them as dates
// keeps them from shifting by an hour, or a day, across BST.
type Date string

const dateLayout = "2006-01-02"

// ParseDate checks s is a calendar date like "2026-11-23".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return "", errors.New("must be a calendar date like 2026-11-23")
	}
	return Date(t.Format(dateLayout)), nil
}

// DateOf returns the date of instant t in loc's calendar.
func DateOf(t time.Time, loc *time.Location) Date {
	return Date(t.In(loc).Format(dateLayout))
}

// Valid reports whether d is a well-formed calendar date.
func (d Date) Valid() bool {
	p, err := ParseDate(string(d))
	return err == nil && p == d
}

// Time returns midnight UTC at the start of d, for calendar arithmetic; the
// zero time if d is not valid.
func (d Date) Time() time.Time {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		return time.Time{}
	}
	return t
}

// String returns the date as written.
func (d Date) String() string { return string(d) }

// ParseWeek checks an ISO 8601 week like "2026-W48" and returns its ISO year
// and week number. Week 53 is accepted only in years that have one.
func ParseWeek(s string) (year, week int, err error) {
	bad := errors.New("must be an ISO week like 2026-W48")
	y, w, ok := strings.Cut(s, "-W")
	if !ok || len(y) != 4 || len(w) != 2 || !digits(y) || !digits(w) {
		return 0, 0, bad
	}
	year, _ = strconv.Atoi(y)
	week, _ = strconv.Atoi(w)
	if year < 2000 || week < 1 {
		return 0, 0, bad
	}
	// 28 December is always in the last ISO week of its year.
	if _, last := time.Date(year, 12, 28, 12, 0, 0, 0, time.UTC).ISOWeek(); week > last {
		return 0, 0, fmt.Errorf("%d has only %d ISO weeks", year, last)
	}
	return year, week, nil
}

// WeekOf returns the ISO week ("2026-W48") of instant t in loc's calendar.
func WeekOf(t time.Time, loc *time.Location) string {
	y, w := t.In(loc).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Nominator says who put a resident on a round's list.
type Nominator string

// Nominators.
const (
	NominatorHome Nominator = "home" // the care home's staff
	NominatorMDT  Nominator = "mdt"  // the multidisciplinary team
)

// Valid reports whether n is a known nominator.
func (n Nominator) Valid() bool { return n == NominatorHome || n == NominatorMDT }

// ParseNominator checks s names a nominator.
func ParseNominator(s string) (Nominator, error) {
	return parseEnum(Nominator(s), "home, mdt")
}

// Priority is how soon a nominated resident should be seen on the round.
type Priority string

// Priorities, most pressing first: the round sees urgent residents first.
const (
	PriorityUrgent  Priority = "urgent"
	PriorityHigh    Priority = "high"
	PriorityRoutine Priority = "routine"
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	return p == PriorityUrgent || p == PriorityHigh || p == PriorityRoutine
}

// ParsePriority checks s names a priority.
func ParsePriority(s string) (Priority, error) {
	return parseEnum(Priority(s), "urgent, high, routine")
}

// NotReviewedReason says why a nominated resident was not reviewed.
type NotReviewedReason string

// Reasons a nominated resident was not reviewed.
const (
	NotReviewedAsleep     NotReviewedReason = "asleep"
	NotReviewedUnwell     NotReviewedReason = "unwell"
	NotReviewedRefused    NotReviewedReason = "refused"
	NotReviewedInHospital NotReviewedReason = "in-hospital"
	NotReviewedTime       NotReviewedReason = "time" // the round ran out of time
	NotReviewedOther      NotReviewedReason = "other"
)

// Valid reports whether r is a known reason.
func (r NotReviewedReason) Valid() bool {
	switch r {
	case NotReviewedAsleep, NotReviewedUnwell, NotReviewedRefused, NotReviewedInHospital,
		NotReviewedTime, NotReviewedOther:
		return true
	}
	return false
}

// ParseNotReviewedReason checks s names a reason.
func ParseNotReviewedReason(s string) (NotReviewedReason, error) {
	return parseEnum(NotReviewedReason(s), "asleep, unwell, refused, in-hospital, time, other")
}

// Destination is where a resident went when discharged from a home.
type Destination string

// Destinations.
const (
	DestinationHospital Destination = "hospital"
	DestinationCareHome Destination = "care-home" // another care home
	DestinationOwnHome  Destination = "own-home"
	DestinationHospice  Destination = "hospice"
	DestinationOther    Destination = "other"
)

// Valid reports whether d is a known destination.
func (d Destination) Valid() bool {
	switch d {
	case DestinationHospital, DestinationCareHome, DestinationOwnHome, DestinationHospice, DestinationOther:
		return true
	}
	return false
}

// ParseDestination checks s names a destination.
func ParseDestination(s string) (Destination, error) {
	return parseEnum(Destination(s), "hospital, care-home, own-home, hospice, other")
}

// AgreedWith says with whom a Personalised Care and Support Plan was agreed.
type AgreedWith string

// Parties a PCSP is agreed with.
const (
	AgreedWithResident       AgreedWith = "resident"
	AgreedWithFamily         AgreedWith = "family"         // family or an unpaid carer
	AgreedWithRepresentative AgreedWith = "representative" // an attorney (LPA), deputy or advocate
)

// Valid reports whether a is a known party.
func (a AgreedWith) Valid() bool {
	return a == AgreedWithResident || a == AgreedWithFamily || a == AgreedWithRepresentative
}

// ParseAgreedWith checks s names a party.
func ParseAgreedWith(s string) (AgreedWith, error) {
	return parseEnum(AgreedWith(s), "resident, family, representative")
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseEnum[T interface {
	~string
	Valid() bool
}](v T, allowed string) (T, error) {
	if !v.Valid() {
		return "", fmt.Errorf("must be one of: %s", allowed)
	}
	return v, nil
}
