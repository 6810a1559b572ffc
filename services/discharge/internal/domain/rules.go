package domain

import (
	"errors"
	"fmt"
	"time"

	// The rules' zone is England's; the tz database is embedded so a
	// container without /usr/share/zoneinfo still computes calendar days.
	_ "time/tzdata"

	"github.com/careweave/careweave/events/discharge"
)

// Rules are the national and local rules of discharge follow-up:
// configuration, not code. Build them with DefaultRules, change what local
// practice changes, and Validate once at start-up (the commands that take
// Rules check them again and return a plain, non-domain error if invalid).
type Rules struct {
	// SummaryDueWithin is how soon after discharge the discharge summary
	// must reach the GP [national: 24h]; later receipt is flagged late.
	SummaryDueWithin time.Duration
	// MedicinesFirstCheckWithin is how soon after a Discharge Medicines
	// Service referral the community pharmacy's first check is due
	// [national: 72h].
	MedicinesFirstCheckWithin time.Duration
	// FollowUpWithin is the community follow-up deadline after discharge per
	// pathway [local]; 0 means the pathway needs no follow-up by itself.
	// Every pathway must have an entry.
	FollowUpWithin map[discharge.Pathway]time.Duration
	// FollowUpForNeedsWithin is the deadline when the pathway has none but
	// the discharge recorded follow-up needs, or a team is assigned anyway
	// [local].
	FollowUpForNeedsWithin time.Duration
	// ReadmissionWindowDays is the last day after discharge (inclusive, in
	// calendar days; 0 is the day of discharge) on which an emergency
	// admission counts as a readmission [national: 29, i.e. days 0-29].
	ReadmissionWindowDays int
	// Location is the zone whose calendar days count (expected discharge
	// dates, days since discharge) [England: Europe/London].
	Location *time.Location
}

// DefaultRules returns the national rules and the local defaults of
// FIELD-NOTES §1: summary 24h, medicines first check 72h, follow-up P0 none
// (72h when there are needs), P1 24h, P2 48h, P3 72h, readmission days 0-29,
// Europe/London.
func DefaultRules() Rules {
	london, err := time.LoadLocation("Europe/London")
	if err != nil { // unreachable: time/tzdata is embedded
		panic("discharge rules: load Europe/London: " + err.Error())
	}
	return Rules{
		SummaryDueWithin:          24 * time.Hour,
		MedicinesFirstCheckWithin: 72 * time.Hour,
		FollowUpWithin: map[discharge.Pathway]time.Duration{
			discharge.PathwayP0: 0,
			discharge.PathwayP1: 24 * time.Hour,
			discharge.PathwayP2: 48 * time.Hour,
			discharge.PathwayP3: 72 * time.Hour,
		},
		FollowUpForNeedsWithin: 72 * time.Hour,
		ReadmissionWindowDays:  29,
		Location:               london,
	}
}

// Validate reports the first rule that makes no sense.
func (r Rules) Validate() error {
	if r.SummaryDueWithin <= 0 {
		return errors.New("discharge rules: SummaryDueWithin must be positive")
	}
	if r.MedicinesFirstCheckWithin <= 0 {
		return errors.New("discharge rules: MedicinesFirstCheckWithin must be positive")
	}
	for _, p := range discharge.Pathways() {
		d, ok := r.FollowUpWithin[p]
		if !ok {
			return fmt.Errorf("discharge rules: FollowUpWithin has no entry for pathway %s (0 means none)", p)
		}
		if d < 0 {
			return fmt.Errorf("discharge rules: FollowUpWithin[%s] must not be negative", p)
		}
	}
	if len(r.FollowUpWithin) != len(discharge.Pathways()) {
		return errors.New("discharge rules: FollowUpWithin has an entry for an unknown pathway")
	}
	if r.FollowUpForNeedsWithin <= 0 {
		return errors.New("discharge rules: FollowUpForNeedsWithin must be positive")
	}
	if r.ReadmissionWindowDays < 0 || r.ReadmissionWindowDays > 365 {
		return errors.New("discharge rules: ReadmissionWindowDays must be 0-365")
	}
	if r.Location == nil {
		return errors.New("discharge rules: Location is required")
	}
	return nil
}

// check is every rule-taking command's guard: rules that were never
// validated (a zero Rules{} would make every deadline the discharge itself)
// are an internal error, not a decision.
func (r Rules) check() error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("decide with invalid rules: %w", err)
	}
	return nil
}

// FollowUpWithinFor returns the community follow-up deadline after a
// discharge on pathway with needs, and false when no follow-up is required.
func (r Rules) FollowUpWithinFor(pathway discharge.Pathway, needs []discharge.FollowUpNeed) (time.Duration, bool) {
	if d := r.FollowUpWithin[pathway]; d > 0 {
		return d, true
	}
	if len(needs) > 0 {
		return r.FollowUpForNeedsWithin, true
	}
	return 0, false
}

// CalendarDays returns the number of calendar days in the rules' zone from
// the day of from to the day of to: 0 on the same day, 1 the next, whatever
// the hours and however long the days around a clock change.
func (r Rules) CalendarDays(from, to time.Time) int {
	fy, fm, fd := from.In(r.Location).Date()
	ty, tm, td := to.In(r.Location).Date()
	a := time.Date(fy, fm, fd, 0, 0, 0, 0, time.UTC)
	b := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// localDate returns t's calendar date in the rules' zone as YYYY-MM-DD.
func (r Rules) localDate(t time.Time) string { return t.In(r.Location).Format(time.DateOnly) }
