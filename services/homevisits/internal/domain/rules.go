package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/domain"
)

// Band is an urgency band: a name the triaging GP picks and the longest a
// visit of that band may wait, from triage to the end of its window.
//
// MaxWait is elapsed time, the same in every season: "3 days" is 72 hours,
// so a routine visit triaged at 09:00 BST on the Friday before the clocks go
// back defaults to visitBy 08:00 GMT on Monday, which is 72 hours later and
// is what the window shows (always with its zone). The window is never
// longer than the band allows, on either side of a clock change.
type Band struct {
	Name    string
	MaxWait time.Duration
}

// Rules are a PCN's local home-visit practice: configuration, not code
// (there is no national standard). Build them with DefaultRules, change what
// differs, and check them with Validate at start-up.
type Rules struct {
	// Bands are the urgency bands, most urgent first. A triage names one;
	// its MaxWait bounds the window's visitBy and is the default for it.
	Bands []Band
	// TriageRoles are the roles that may triage a request.
	TriageRoles []homevisits.Role
	// VisitRoles are the roles a visit may be assigned to.
	VisitRoles []homevisits.Role
	// AcceptWithin is how long an assigned clinician has to accept a visit
	// before it goes back to the duty coordinator.
	AcceptWithin time.Duration
}

// DefaultRules returns the usual practice: urgent within 2 hours, same-day
// within 8 hours, routine within 3 days; GPs triage; paramedics, advanced
// clinical practitioners, GPs and district nurses visit.
func DefaultRules() Rules {
	return Rules{
		Bands: []Band{
			{Name: "urgent", MaxWait: 2 * time.Hour},
			{Name: "same-day", MaxWait: 8 * time.Hour},
			{Name: "routine", MaxWait: 72 * time.Hour},
		},
		TriageRoles: []homevisits.Role{homevisits.RoleGP},
		VisitRoles: []homevisits.Role{homevisits.RoleParamedic, homevisits.RoleAdvancedPractitioner,
			homevisits.RoleGP, homevisits.RoleDistrictNurse},
		AcceptWithin: 15 * time.Minute,
	}
}

// Limits on a band's MaxWait: anything outside them is surely a mistake of
// units.
const (
	MinBandWait = time.Minute
	MaxBandWait = 28 * 24 * time.Hour
	// An acceptance time outside these is surely a mistake of units.
	MinAcceptWithin = time.Second
	MaxAcceptWithin = 24 * time.Hour
)

// Validate reports every problem with the rules.
func (r Rules) Validate() error {
	var errs []error
	if len(r.Bands) == 0 {
		errs = append(errs, errors.New("at least one urgency band is required"))
	}
	seen := map[string]bool{}
	for i, b := range r.Bands {
		if !isBandName(b.Name) {
			errs = append(errs, fmt.Errorf("band %d: name %q must be 1-32 lower-case letters, digits or '-', starting with a letter", i, b.Name))
		}
		if seen[b.Name] {
			errs = append(errs, fmt.Errorf("band %d: name %q is used twice", i, b.Name))
		}
		seen[b.Name] = true
		if b.MaxWait < MinBandWait || b.MaxWait > MaxBandWait {
			errs = append(errs, fmt.Errorf("band %q: maximum wait %s must be between %s and %s", b.Name, b.MaxWait, MinBandWait, MaxBandWait))
		}
	}
	for _, list := range []struct {
		name  string
		roles []homevisits.Role
	}{{"triage roles", r.TriageRoles}, {"visit roles", r.VisitRoles}} {
		if len(list.roles) == 0 {
			errs = append(errs, fmt.Errorf("%s: at least one is required", list.name))
		}
		for _, role := range list.roles {
			if !role.Valid() {
				errs = append(errs, fmt.Errorf("%s: %q is not one of: %s", list.name, role, homevisits.OneOf(homevisits.Roles())))
			}
		}
	}
	if r.AcceptWithin < MinAcceptWithin || r.AcceptWithin > MaxAcceptWithin {
		errs = append(errs, fmt.Errorf("acceptance time %s must be between %s and %s", r.AcceptWithin, MinAcceptWithin, MaxAcceptWithin))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("home-visit rules: %w", err)
	}
	return nil
}

func isBandName(s string) bool {
	return len(s) >= 1 && len(s) <= 32 && s[0] >= 'a' && s[0] <= 'z' &&
		strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// Band returns the band called name.
func (r Rules) Band(name string) (Band, bool) {
	i := slices.IndexFunc(r.Bands, func(b Band) bool { return b.Name == name })
	if i < 0 {
		return Band{}, false
	}
	return r.Bands[i], true
}

// BandNames returns the bands' names, most urgent first.
func (r Rules) BandNames() []string {
	names := make([]string, len(r.Bands))
	for i, b := range r.Bands {
		names[i] = b.Name
	}
	return names
}

// TriageWindow returns the window of a visit triaged into band urgency at
// now, from the times the GP gave (either may be zero):
//
//   - notBefore defaults to now, visitBy to now + the band's MaxWait (both
//     rounded down to the minute);
//   - visitBy must be after now and after notBefore, and at most MaxWait
//     after now.
//
// Times may come in any location; the window is in UTC. Errors name the
// command's fields (urgency, notBefore, visitBy). The API may call it to show
// a GP the default window before they triage.
func (r Rules) TriageWindow(urgency string, notBefore, visitBy, now time.Time) (homevisits.Window, error) {
	band, ok := r.Band(urgency)
	if !ok {
		if urgency == "" {
			return homevisits.Window{}, domain.Invalid("urgency", "is required: one of "+strings.Join(r.BandNames(), ", ")+
				", or an outcome that needs no visit")
		}
		return homevisits.Window{}, domain.Invalid("urgency", "must be one of: "+strings.Join(r.BandNames(), ", "))
	}
	now = now.UTC()
	latest := now.Add(band.MaxWait)
	w := homevisits.Window{NotBefore: notBefore.UTC(), VisitBy: visitBy.UTC()}
	if notBefore.IsZero() {
		w.NotBefore = now.Truncate(time.Minute)
	}
	if visitBy.IsZero() {
		if !w.NotBefore.Before(latest) {
			return homevisits.Window{}, domain.Invalid("notBefore", fmt.Sprintf(
				"is too late: a %s visit must be made within %s of triage", band.Name, describe(band.MaxWait)))
		}
		w.VisitBy = latest.Truncate(time.Minute)
		if !w.VisitBy.After(w.NotBefore) {
			w.VisitBy = latest
		}
	}
	switch {
	case !w.VisitBy.After(now):
		return homevisits.Window{}, domain.Invalid("visitBy", "is in the past")
	case !w.VisitBy.After(w.NotBefore):
		return homevisits.Window{}, domain.Invalid("visitBy", "must be after notBefore")
	case w.VisitBy.After(latest):
		return homevisits.Window{}, domain.Invalid("visitBy", fmt.Sprintf(
			"is too late: a %s visit must be made within %s of triage", band.Name, describe(band.MaxWait)))
	}
	return w, nil
}

// describe writes a duration as people say it: "2 hours", "3 days",
// "90 minutes".
func describe(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	}
	return d.String()
}

// checkTriager checks that a clinician's role may triage.
func (r Rules) checkTriager(role homevisits.Role) error {
	if !slices.Contains(r.TriageRoles, role) {
		return domain.Invalid("triagedBy", fmt.Sprintf("is a clinician whose role (%q) does not triage; triage is by: %s",
			role, homevisits.OneOf(r.TriageRoles)))
	}
	return nil
}

// checkVisitor checks that a clinician's role may be given home visits.
func (r Rules) checkVisitor(role homevisits.Role) error {
	if !slices.Contains(r.VisitRoles, role) {
		return domain.Invalid("clinicianId", fmt.Sprintf("is a clinician whose role (%q) does not make home visits here; visits go to: %s",
			role, homevisits.OneOf(r.VisitRoles)))
	}
	return nil
}
