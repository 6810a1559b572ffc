package homevisits_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the test must not depend on the machine's zoneinfo

	"github.com/careweave/careweave/events/homevisits"
)

// lastSunday returns the last Sunday of month in year (UTC date).
func lastSunday(year int, month time.Month) time.Time {
	d := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC) // last day of month
	return d.AddDate(0, 0, -int(d.Weekday()))
}

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := homevisits.London()
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The clocks change at 01:00 UTC on the last Sunday of March (GMT → BST)
// and of October (BST → GMT). A window stored in UTC must render with the
// right offset on each side of the change and keep its real length.
func TestFormatAcrossClockChanges(t *testing.T) {
	loc := london(t)
	cases := []struct {
		name string
		w    homevisits.Window
		want string
	}{
		{"spring forward: 00:30-01:30 UTC is 00:30 GMT to 02:30 BST",
			homevisits.Window{NotBefore: utc(2026, 3, 29, 0, 30), VisitBy: utc(2026, 3, 29, 1, 30)},
			"Sun 29 Mar 2026, 00:30 GMT to 02:30 BST"},
		{"fall back: 00:30-01:30 UTC is 01:30 BST to 01:30 GMT",
			homevisits.Window{NotBefore: utc(2026, 10, 25, 0, 30), VisitBy: utc(2026, 10, 25, 1, 30)},
			"Sun 25 Oct 2026, 01:30 BST to 01:30 GMT"},
		{"across midnight and the October change, both dates shown",
			homevisits.Window{NotBefore: utc(2026, 10, 24, 22, 30), VisitBy: utc(2026, 10, 25, 1, 30)},
			"Sat 24 Oct 2026, 23:30 BST to Sun 25 Oct 2026, 01:30 GMT"},
		{"across midnight and the March change",
			homevisits.Window{NotBefore: utc(2026, 3, 28, 23, 0), VisitBy: utc(2026, 3, 29, 9, 0)},
			"Sat 28 Mar 2026, 23:00 GMT to Sun 29 Mar 2026, 10:00 BST"},
		{"a summer afternoon",
			homevisits.Window{NotBefore: utc(2026, 7, 1, 13, 0), VisitBy: utc(2026, 7, 1, 15, 0)},
			"Wed 1 Jul 2026, 14:00 BST to 16:00 BST"},
		{"a winter afternoon",
			homevisits.Window{NotBefore: utc(2026, 1, 6, 13, 0), VisitBy: utc(2026, 1, 6, 15, 0)},
			"Tue 6 Jan 2026, 13:00 GMT to 15:00 GMT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.w.Format(loc); got != c.want {
				t.Errorf("Format = %q; want %q", got, c.want)
			}
		})
	}
}

// For several years, on the last Sunday of March and October, a one-hour
// window straddling 01:00 UTC shows the two zones either side and is still
// one hour long.
func TestLastSundaysOfMarchAndOctober(t *testing.T) {
	loc := london(t)
	for year := 2025; year <= 2030; year++ {
		for _, c := range []struct {
			month         time.Month
			before, after string
			fromAt, toAt  string
		}{
			{time.March, "GMT", "BST", "00:30 GMT", "02:30 BST"},
			{time.October, "BST", "GMT", "01:30 BST", "01:30 GMT"},
		} {
			day := lastSunday(year, c.month)
			if day.Weekday() != time.Sunday || day.AddDate(0, 0, 7).Month() == c.month {
				t.Fatalf("lastSunday(%d, %s) = %s", year, c.month, day)
			}
			change := day.Add(time.Hour) // 01:00 UTC
			w := homevisits.Window{NotBefore: change.Add(-30 * time.Minute), VisitBy: change.Add(30 * time.Minute)}
			want := day.Format("Mon 2 Jan 2006") + ", " + c.fromAt + " to " + c.toAt
			if got := w.Format(loc); got != want {
				t.Errorf("%d %s: Format = %q; want %q", year, c.month, got, want)
			}
			if w.Duration() != time.Hour {
				t.Errorf("%d %s: window lasts %s; want 1h", year, c.month, w.Duration())
			}
			if z, _ := change.Add(-time.Second).In(loc).Zone(); z != c.before {
				t.Errorf("%d %s: zone before the change = %s; want %s", year, c.month, z, c.before)
			}
			if z, _ := change.In(loc).Zone(); z != c.after {
				t.Errorf("%d %s: zone after the change = %s; want %s", year, c.month, z, c.after)
			}
		}
	}
}

func TestFormatLondonAndNilLocation(t *testing.T) {
	w := homevisits.Window{NotBefore: utc(2026, 3, 29, 0, 30), VisitBy: utc(2026, 3, 29, 1, 30)}
	got, err := w.FormatLondon()
	if err != nil || got != "Sun 29 Mar 2026, 00:30 GMT to 02:30 BST" {
		t.Errorf("FormatLondon = %q, %v", got, err)
	}
	if got := w.Format(nil); got != "Sun 29 Mar 2026, 00:30 UTC to 01:30 UTC" {
		t.Errorf("Format(nil) = %q", got)
	}
}

func TestWindowOverdueAndZero(t *testing.T) {
	w := homevisits.Window{NotBefore: utc(2026, 3, 29, 9, 0), VisitBy: utc(2026, 3, 29, 11, 0)}
	if w.IsZero() || !(homevisits.Window{}).IsZero() {
		t.Error("IsZero is wrong")
	}
	if w.Overdue(w.VisitBy) || !w.Overdue(w.VisitBy.Add(time.Second)) || (homevisits.Window{}).Overdue(w.VisitBy) {
		t.Error("Overdue is wrong")
	}
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}
