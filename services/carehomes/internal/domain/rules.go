package domain

import (
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // Europe/London must resolve on any machine, with or without system zoneinfo

	"github.com/careweave/careweave/events/carehomes"
)

// Rules is the carehomes service's configuration: the national 7-working-day
// clock for assessment and care plan after (re)admission, and the calendar
// it is counted in. Build it with DefaultRules and adjust; the API layer
// validates it once at start-up.
type Rules struct {
	// WorkingDays is how many working days after (re)admission a holistic
	// assessment and a PCSP are due. National EHCH rule: 7.
	WorkingDays int
	// BankHolidays are weekdays that are not working days. Weekends never
	// are. The default covers England for 2026 and 2027; extend it before
	// admissions can fall due in a year it does not cover.
	BankHolidays []carehomes.Date
	// Location is the calendar every date and ISO week is taken in.
	Location *time.Location
}

// englandBankHolidays are England and Wales's bank holidays for 2026 and
// 2027 (gov.uk/bank-holidays), with substitute days where the day falls on
// a weekend.
var englandBankHolidays = []carehomes.Date{
	"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
	"2026-12-25", "2026-12-28",
	"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
	"2027-12-27", "2027-12-28",
}

// DefaultRules returns the national rules: 7 working days, England's bank
// holidays for 2026–2027, counted in Europe/London.
func DefaultRules() Rules {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		// Unreachable: time/tzdata is embedded in this package.
		panic("carehomes: load Europe/London: " + err.Error())
	}
	return Rules{
		WorkingDays:  7,
		BankHolidays: append([]carehomes.Date(nil), englandBankHolidays...),
		Location:     london,
	}
}

// Validate reports the first thing wrong with the rules.
func (r Rules) Validate() error {
	if r.WorkingDays < 1 || r.WorkingDays > 60 {
		return fmt.Errorf("carehomes rules: working days must be 1 to 60, not %d", r.WorkingDays)
	}
	if r.Location == nil {
		return errors.New("carehomes rules: a location (time zone) is required")
	}
	seen := make(map[carehomes.Date]bool, len(r.BankHolidays))
	for _, d := range r.BankHolidays {
		if !d.Valid() {
			return fmt.Errorf("carehomes rules: bank holiday %q is not a date like 2026-12-25", d)
		}
		if wd := d.Time().Weekday(); wd == time.Saturday || wd == time.Sunday {
			return fmt.Errorf("carehomes rules: bank holiday %s is a %s: list the substitute weekday instead", d, wd)
		}
		if seen[d] {
			return fmt.Errorf("carehomes rules: bank holiday %s is listed twice", d)
		}
		seen[d] = true
	}
	return nil
}

// IsWorkingDay reports whether d is a weekday that is not a bank holiday.
func (r Rules) IsWorkingDay(d carehomes.Date) bool {
	switch d.Time().Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	for _, h := range r.BankHolidays {
		if h == d {
			return false
		}
	}
	return true
}

// DueOn returns the last day on which work is on time when it is due
// WorkingDays working days after admittedAt: the day of admission does not
// count, the next working day is day 1. Admitted on Monday 23 November 2026,
// the assessment is due by Wednesday 2 December.
func (r Rules) DueOn(admittedAt time.Time) carehomes.Date {
	day := carehomes.DateOf(admittedAt, r.Location).Time()
	for n := 0; n < r.WorkingDays; {
		day = day.AddDate(0, 0, 1)
		if r.IsWorkingDay(carehomes.Date(day.Format("2006-01-02"))) {
			n++
		}
	}
	return carehomes.Date(day.Format("2006-01-02"))
}

// onTime reports whether an instant falls on or before due in the rules'
// calendar.
func (r Rules) onTime(at time.Time, due carehomes.Date) bool {
	return carehomes.DateOf(at, r.Location) <= due
}

// today returns Now's date in the rules' calendar.
func (r Rules) today(now time.Time) carehomes.Date { return carehomes.DateOf(now, r.Location) }
