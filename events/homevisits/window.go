package homevisits

import (
	"fmt"
	"time"
)

// Window is when a visit should happen: not before NotBefore and by VisitBy.
// Both are instants stored in UTC; only rendering turns them into local
// time, so a window that spans a change between GMT and BST keeps its real
// length (an hour's window across the October change is still one hour).
type Window struct {
	NotBefore time.Time `json:"notBefore"`
	VisitBy   time.Time `json:"visitBy"`
}

// IsZero reports whether no window has been set.
func (w Window) IsZero() bool { return w.NotBefore.IsZero() && w.VisitBy.IsZero() }

// Duration is the real time between NotBefore and VisitBy.
func (w Window) Duration() time.Duration { return w.VisitBy.Sub(w.NotBefore) }

// Overdue reports whether the window has closed at now.
func (w Window) Overdue(now time.Time) bool { return !w.VisitBy.IsZero() && now.After(w.VisitBy) }

// LondonZone is the time zone visit windows are shown in.
const LondonZone = "Europe/London"

// London loads the Europe/London zone from the system's time-zone database
// (or the one embedded by importing time/tzdata in the binary's main
// package). Load it once and pass it to Format.
func London() (*time.Location, error) {
	loc, err := time.LoadLocation(LondonZone)
	if err != nil {
		return nil, fmt.Errorf("load time zone %s: %w", LondonZone, err)
	}
	return loc, nil
}

// Format renders the window as people in loc read it, always naming the zone
// so that a window crossing a clock change cannot be misread:
//
//	Sun 29 Mar 2026, 00:30 GMT to 02:30 BST
//	Sat 24 Oct 2026, 23:30 BST to Sun 25 Oct 2026, 01:30 GMT
//
// The second date is left out when both ends fall on the same local day. A
// nil loc means UTC.
func (w Window) Format(loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	const day, clock = "Mon 2 Jan 2006", "15:04 MST"
	from, to := w.NotBefore.In(loc), w.VisitBy.In(loc)
	end := to.Format(clock)
	if from.Format(day) != to.Format(day) {
		end = to.Format(day + ", " + clock)
	}
	return from.Format(day+", "+clock) + " to " + end
}

// FormatLondon renders the window in Europe/London; see Format.
func (w Window) FormatLondon() (string, error) {
	loc, err := London()
	if err != nil {
		return "", err
	}
	return w.Format(loc), nil
}
