package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func triageCmd() domain.TriageVisitCmd {
	return domain.TriageVisitCmd{TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "urgent",
		Now: at(10 * time.Minute)}
}

func TestTriageVisit(t *testing.T) {
	given := histories[domain.StatusRequested]
	t.Run("the band's window by default", func(t *testing.T) {
		aggregatetest.Then(t, visitType, given, domain.TriageVisit(rules, triageCmd()), triaged)
	})
	t.Run("default window rounded down to the minute", func(t *testing.T) {
		cmd := triageCmd()
		cmd.Now = at(10*time.Minute + 30*time.Second + 5)
		want := triaged
		want.TriagedAt = cmd.Now
		aggregatetest.Then(t, visitType, given, domain.TriageVisit(rules, cmd), want)
	})
	t.Run("an explicit window, given in local time, stored in UTC", func(t *testing.T) {
		cmd := triageCmd()
		cmd.Urgency = "same-day"
		london := time.FixedZone("BST", 3600)
		cmd.NotBefore, cmd.VisitBy = at(4*time.Hour).In(london), at(6*time.Hour).In(london)
		cmd.Notes = "Daughter there from 1pm"
		want := triaged
		want.Urgency, want.Notes = "same-day", "Daughter there from 1pm"
		want.Window = homevisits.Window{NotBefore: at(4 * time.Hour), VisitBy: at(6 * time.Hour)}
		aggregatetest.Then(t, visitType, given, domain.TriageVisit(rules, cmd), want)
	})
	t.Run("only visitBy given: from now", func(t *testing.T) {
		cmd := triageCmd()
		cmd.VisitBy = at(time.Hour)
		want := triaged
		want.Window.VisitBy = at(time.Hour)
		aggregatetest.Then(t, visitType, given, domain.TriageVisit(rules, cmd), want)
	})
	t.Run("only notBefore given: to the band's limit", func(t *testing.T) {
		cmd := triageCmd()
		cmd.Urgency, cmd.NotBefore = "routine", at(24*time.Hour)
		want := triaged
		want.Urgency = "routine"
		want.Window = homevisits.Window{NotBefore: at(24 * time.Hour), VisitBy: at(72*time.Hour + 10*time.Minute)}
		aggregatetest.Then(t, visitType, given, domain.TriageVisit(rules, cmd), want)
	})
	t.Run("visitBy exactly at the band's limit", func(t *testing.T) {
		cmd := triageCmd()
		cmd.VisitBy = at(2*time.Hour + 10*time.Minute)
		aggregatetest.Then(t, visitType, given, domain.TriageVisit(rules, cmd), triaged)
	})
	t.Run("no visit needed", func(t *testing.T) {
		cmd := triageCmd()
		cmd.Urgency, cmd.Outcome, cmd.Notes = "", homevisits.TriageAdvice, "Advised fluids; safety-netted"
		want := triagedNoVisit
		want.Notes = "Advised fluids; safety-netted"
		aggregatetest.Then(t, visitType, given, domain.TriageVisit(rules, cmd), want)
	})
	t.Run("an advanced practitioner triages where the rules allow it", func(t *testing.T) {
		local := domain.DefaultRules()
		local.TriageRoles = append(local.TriageRoles, homevisits.RoleAdvancedPractitioner)
		cmd := triageCmd()
		cmd.TriagedBy, cmd.TriagedByRole = sam, homevisits.RoleAdvancedPractitioner
		want := triaged
		want.TriagedBy, want.TriagedByRole = sam, homevisits.RoleAdvancedPractitioner
		aggregatetest.Then(t, visitType, given, domain.TriageVisit(local, cmd), want)
	})
	notFound(t, domain.TriageVisit(rules, triageCmd()))
	refusedOutside(t, domain.TriageVisit(rules, triageCmd()),
		domain.StatusRequested, domain.StatusTriaged, domain.StatusAssigned, domain.StatusAccepted, domain.StatusDeclined, domain.StatusTimedOut)
	refusedOutside(t, domain.TriageVisit(rules, domain.TriageVisitCmd{TriagedBy: drOkafor,
		TriagedByRole: homevisits.RoleGP, Outcome: homevisits.TriageAdvice, Now: at(time.Hour)}),
		domain.StatusRequested, domain.StatusTriaged, domain.StatusAssigned, domain.StatusAccepted, domain.StatusDeclined, domain.StatusTimedOut)
}

// A duty GP upgrading or standing down a visit after new information: the
// event says what it was and who must be told.
func TestReTriage(t *testing.T) {
	sameDay := func(now time.Duration) domain.TriageVisitCmd {
		cmd := triageCmd()
		cmd.Urgency, cmd.Now = "same-day", at(now)
		return cmd
	}
	reTriaged := func(now time.Duration, clinician string, role homevisits.Role) homevisits.VisitTriaged {
		return homevisits.VisitTriaged{TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "same-day",
			Window:          homevisits.Window{NotBefore: at(now), VisitBy: at(now + 8*time.Hour)},
			PreviousUrgency: "urgent", ClinicianID: clinician, Role: role, TriagedAt: at(now)}
	}
	t.Run("before assignment", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusTriaged], domain.TriageVisit(rules, sameDay(time.Hour)),
			reTriaged(time.Hour, "", ""))
	})
	for _, st := range []domain.Status{domain.StatusAssigned, domain.StatusAccepted} {
		t.Run("while "+string(st)+": names the clinician holding it", func(t *testing.T) {
			aggregatetest.Then(t, visitType, histories[st], domain.TriageVisit(rules, sameDay(time.Hour)),
				reTriaged(time.Hour, jess, homevisits.RoleParamedic))
			s, _ := aggregatetest.Given(visitType, given(st, reTriaged(time.Hour, jess, homevisits.RoleParamedic))...)
			if s.Status != st || s.Urgency != "same-day" || s.ClinicianID != jess {
				t.Fatalf("a re-triage changed more than the triage: %+v", s)
			}
		})
	}
	t.Run("while declined: nobody holds it", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusDeclined], domain.TriageVisit(rules, sameDay(time.Hour)),
			reTriaged(time.Hour, "", ""))
	})
	t.Run("the same triage again records nothing", func(t *testing.T) {
		cmd := triageCmd()
		cmd.NotBefore, cmd.VisitBy, cmd.Now = urgentWindow.NotBefore, urgentWindow.VisitBy, at(20*time.Minute)
		aggregatetest.Then(t, visitType, histories[domain.StatusAssigned], domain.TriageVisit(rules, cmd))
	})
	t.Run("no visit after all, while accepted: stands the clinician down", func(t *testing.T) {
		cmd := domain.TriageVisitCmd{TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP,
			Outcome: homevisits.TriageAttendSurgery, Now: at(time.Hour)}
		aggregatetest.Then(t, visitType, histories[domain.StatusAccepted], domain.TriageVisit(rules, cmd),
			homevisits.TriagedWithoutVisit{TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP,
				Outcome: homevisits.TriageAttendSurgery, ClinicianID: jess, Role: homevisits.RoleParamedic,
				TriagedAt: at(time.Hour)})
		s, _ := aggregatetest.Given(visitType, given(domain.StatusAccepted, homevisits.TriagedWithoutVisit{
			Outcome: homevisits.TriageAttendSurgery, TriagedAt: at(time.Hour)})...)
		if s.Status != domain.StatusTriagedNoVisit || s.Urgency != "" || !s.Window.IsZero() || !s.ClosedAt.Equal(at(time.Hour)) {
			t.Fatalf("state after no visit: %+v", s)
		}
	})
}

func TestTriageVisitInvalid(t *testing.T) {
	given := histories[domain.StatusRequested]
	cases := []struct {
		name, field string
		breaks      func(*domain.TriageVisitCmd)
	}{
		{"no triager", "triagedBy", func(c *domain.TriageVisitCmd) { c.TriagedBy = "" }},
		{"not a directory id", "triagedBy", func(c *domain.TriageVisitCmd) { c.TriagedBy = "Dr Okafor" }},
		{"a paramedic does not triage", "triagedBy", func(c *domain.TriageVisitCmd) { c.TriagedByRole = homevisits.RoleParamedic }},
		{"no role", "triagedBy", func(c *domain.TriageVisitCmd) { c.TriagedByRole = "" }},
		{"neither urgency nor outcome", "urgency", func(c *domain.TriageVisitCmd) { c.Urgency = "" }},
		{"unknown band", "urgency", func(c *domain.TriageVisitCmd) { c.Urgency = "asap" }},
		{"visitBy in the past", "visitBy", func(c *domain.TriageVisitCmd) { c.VisitBy = at(5 * time.Minute) }},
		{"visitBy now", "visitBy", func(c *domain.TriageVisitCmd) { c.VisitBy = at(10 * time.Minute) }},
		{"visitBy before notBefore", "visitBy", func(c *domain.TriageVisitCmd) {
			c.NotBefore, c.VisitBy = at(time.Hour), at(50*time.Minute)
		}},
		{"visitBy equal to notBefore", "visitBy", func(c *domain.TriageVisitCmd) {
			c.NotBefore, c.VisitBy = at(time.Hour), at(time.Hour)
		}},
		{"visitBy beyond the band", "visitBy", func(c *domain.TriageVisitCmd) {
			c.VisitBy = at(2*time.Hour + 10*time.Minute + time.Second)
		}},
		{"notBefore beyond the band", "notBefore", func(c *domain.TriageVisitCmd) { c.NotBefore = at(3 * time.Hour) }},
		{"outcome with an urgency", "outcome", func(c *domain.TriageVisitCmd) { c.Outcome = homevisits.TriageAdvice }},
		{"outcome with a window", "outcome", func(c *domain.TriageVisitCmd) {
			c.Urgency, c.Outcome, c.VisitBy = "", homevisits.TriageAdvice, at(time.Hour)
		}},
		{"unknown outcome", "outcome", func(c *domain.TriageVisitCmd) { c.Urgency, c.Outcome = "", "visit" }},
		{"notes too long", "notes", func(c *domain.TriageVisitCmd) { c.Notes = strings.Repeat("n", domain.MaxNotesLen+1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := triageCmd()
			c.breaks(&cmd)
			aggregatetest.Invalid(t, visitType, given, domain.TriageVisit(rules, cmd), c.field)
		})
	}
}

func TestTriageWindowAcrossTheClockChange(t *testing.T) {
	// Triaged routine at 09:00 BST on the Friday before the October change:
	// "3 days" is 72 real hours, so visitBy is 08:00 GMT on Monday.
	now := time.Date(2026, 10, 23, 8, 0, 0, 0, time.UTC)
	w, err := rules.TriageWindow("routine", time.Time{}, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := homevisits.London()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.Format(loc), "Fri 23 Oct 2026, 09:00 BST to Mon 26 Oct 2026, 08:00 GMT"; got != want {
		t.Fatalf("window = %q; want %q", got, want)
	}
}
