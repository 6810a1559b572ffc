package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

func TestDefaultRulesAreValid(t *testing.T) {
	r := domain.DefaultRules()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.WorkingDays != 7 || r.Location.String() != "Europe/London" || len(r.BankHolidays) != 16 {
		t.Fatalf("default rules = %d days, %s, %d bank holidays", r.WorkingDays, r.Location, len(r.BankHolidays))
	}
}

func TestRulesValidate(t *testing.T) {
	cases := map[string]func(*domain.Rules){
		"working days":       func(r *domain.Rules) { r.WorkingDays = 0 },
		"location":           func(r *domain.Rules) { r.Location = nil },
		"not a date":         func(r *domain.Rules) { r.BankHolidays = append(r.BankHolidays, "25/12/2028") },
		"substitute weekday": func(r *domain.Rules) { r.BankHolidays = append(r.BankHolidays, "2027-12-25") },
		"listed twice":       func(r *domain.Rules) { r.BankHolidays = append(r.BankHolidays, "2026-12-25") },
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			r := domain.DefaultRules()
			spoil(&r)
			if err := r.Validate(); err == nil || !strings.HasPrefix(err.Error(), "carehomes rules: ") {
				t.Fatalf("Validate = %v; want an error", err)
			}
		})
	}
	t.Run("the defaults are not shared", func(t *testing.T) {
		r := domain.DefaultRules()
		r.BankHolidays[0] = "2026-01-02"
		if domain.DefaultRules().BankHolidays[0] != "2026-01-01" {
			t.Fatal("changing one Rules changed the defaults")
		}
	})
}

func TestDueOn(t *testing.T) {
	london := domain.DefaultRules()
	cases := []struct {
		name     string
		admitted time.Time
		want     carehomes.Date
	}{
		{"Monday: the day of admission does not count", time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC), "2026-12-02"},
		{"Saturday: counting starts on Monday", time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), "2026-12-08"},
		{"Christmas: three bank holidays skipped", time.Date(2026, 12, 23, 10, 0, 0, 0, time.UTC), "2027-01-06"},
		{"Easter 2027: Good Friday and Easter Monday skipped", time.Date(2027, 3, 24, 10, 0, 0, 0, time.UTC), "2027-04-06"},
		{"Early May 2026", time.Date(2026, 4, 29, 10, 0, 0, 0, time.UTC), "2026-05-11"},
		// 23:30 UTC on Sunday 7 June is 00:30 BST on Monday 8 June: the
		// clock starts from Monday, not Sunday.
		{"BST: admitted after local midnight", time.Date(2026, 6, 7, 23, 30, 0, 0, time.UTC), "2026-06-17"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := london.DueOn(tc.admitted); got != tc.want {
				t.Fatalf("DueOn(%v) = %s; want %s", tc.admitted, got, tc.want)
			}
		})
	}
	t.Run("working days are configuration", func(t *testing.T) {
		r := domain.DefaultRules()
		r.WorkingDays, r.BankHolidays = 2, nil
		if got := r.DueOn(time.Date(2026, 12, 24, 10, 0, 0, 0, time.UTC)); got != "2026-12-28" {
			t.Fatalf("DueOn with 2 days and no holidays = %s; want 2026-12-28", got)
		}
	})
}

func TestIsWorkingDay(t *testing.T) {
	r := domain.DefaultRules()
	for d, want := range map[carehomes.Date]bool{
		"2026-11-23": true, "2026-11-28": false, "2026-11-29": false, "2026-12-25": false, "2026-12-28": false, "2026-12-29": true,
	} {
		if got := r.IsWorkingDay(d); got != want {
			t.Errorf("IsWorkingDay(%s) = %v; want %v", d, got, want)
		}
	}
}
