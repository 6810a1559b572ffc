package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/services/discharge/internal/domain"
)

func TestDefaultRulesAreValid(t *testing.T) {
	r := domain.DefaultRules()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.SummaryDueWithin != 24*time.Hour || r.MedicinesFirstCheckWithin != 72*time.Hour || r.ReadmissionWindowDays != 29 ||
		r.FollowUpWithin[discharge.PathwayP0] != 0 || r.FollowUpWithin[discharge.PathwayP1] != 24*time.Hour ||
		r.FollowUpWithin[discharge.PathwayP2] != 48*time.Hour || r.FollowUpWithin[discharge.PathwayP3] != 72*time.Hour ||
		r.FollowUpForNeedsWithin != 72*time.Hour || r.Location.String() != "Europe/London" {
		t.Fatalf("default rules = %+v", r)
	}
	// Each call builds its own map: changing one set of rules cannot
	// change another's.
	r.FollowUpWithin[discharge.PathwayP1] = time.Hour
	if domain.DefaultRules().FollowUpWithin[discharge.PathwayP1] != 24*time.Hour {
		t.Fatal("DefaultRules shares its map")
	}
}

func TestRulesValidateRefusesNonsense(t *testing.T) {
	cases := map[string]func(r *domain.Rules){
		"summary zero":          func(r *domain.Rules) { r.SummaryDueWithin = 0 },
		"medicines negative":    func(r *domain.Rules) { r.MedicinesFirstCheckWithin = -time.Hour },
		"pathway missing":       func(r *domain.Rules) { delete(r.FollowUpWithin, discharge.PathwayP2) },
		"pathway negative":      func(r *domain.Rules) { r.FollowUpWithin[discharge.PathwayP3] = -time.Hour },
		"unknown pathway":       func(r *domain.Rules) { r.FollowUpWithin["P9"] = time.Hour },
		"needs deadline zero":   func(r *domain.Rules) { r.FollowUpForNeedsWithin = 0 },
		"window negative":       func(r *domain.Rules) { r.ReadmissionWindowDays = -1 },
		"window absurd":         func(r *domain.Rules) { r.ReadmissionWindowDays = 400 },
		"no location":           func(r *domain.Rules) { r.Location = nil },
		"no follow-up deadline": func(r *domain.Rules) { r.FollowUpWithin = nil },
	}
	for name, mutate := range cases {
		r := domain.DefaultRules()
		mutate(&r)
		if err := r.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestFollowUpWithinFor(t *testing.T) {
	r := domain.DefaultRules()
	needs := []discharge.FollowUpNeed{discharge.NeedEquipment}
	cases := []struct {
		pathway discharge.Pathway
		needs   []discharge.FollowUpNeed
		want    time.Duration
		ok      bool
	}{
		{discharge.PathwayP0, nil, 0, false},
		{discharge.PathwayP0, needs, 72 * time.Hour, true},
		{discharge.PathwayP1, nil, 24 * time.Hour, true},
		{discharge.PathwayP1, needs, 24 * time.Hour, true},
		{discharge.PathwayP2, nil, 48 * time.Hour, true},
		{discharge.PathwayP3, nil, 72 * time.Hour, true},
	}
	for _, c := range cases {
		if got, ok := r.FollowUpWithinFor(c.pathway, c.needs); got != c.want || ok != c.ok {
			t.Errorf("%s with %v: %v, %v; want %v, %v", c.pathway, c.needs, got, ok, c.want, c.ok)
		}
	}
	// Local practice: a PCN that follows up every P0 within 48h.
	r.FollowUpWithin[discharge.PathwayP0] = 48 * time.Hour
	if got, ok := r.FollowUpWithinFor(discharge.PathwayP0, nil); got != 48*time.Hour || !ok {
		t.Errorf("configured P0: %v, %v", got, ok)
	}
}

func TestCalendarDaysCountLocalDates(t *testing.T) {
	r := domain.DefaultRules()
	cases := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"same day", time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC), time.Date(2026, 11, 24, 23, 55, 0, 0, time.UTC), 0},
		{"one minute, next day", time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC), time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), 1},
		// 23:30 UTC in June is 00:30 BST the next day.
		{"BST: UTC says same day, London says next", time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC), 1},
		// Across the October clock change, a 25-hour day still counts once.
		{"across the clock change", time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC), time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC), 2},
		{"29 days", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), 29},
	}
	for _, c := range cases {
		if got := r.CalendarDays(c.from, c.to); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
