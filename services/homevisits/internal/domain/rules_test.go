package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func TestDefaultRules(t *testing.T) {
	r := domain.DefaultRules()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]time.Duration{"urgent": 2 * time.Hour, "same-day": 8 * time.Hour, "routine": 72 * time.Hour} {
		if b, ok := r.Band(name); !ok || b.MaxWait != want {
			t.Errorf("band %s = %+v, %v; want %s", name, b, ok, want)
		}
	}
	if _, ok := r.Band("asap"); ok {
		t.Error("an unknown band was found")
	}
	if got := strings.Join(r.BandNames(), ","); got != "urgent,same-day,routine" {
		t.Errorf("BandNames = %s", got)
	}
}

func TestRulesValidate(t *testing.T) {
	cases := map[string]func(r *domain.Rules){
		"no bands":          func(r *domain.Rules) { r.Bands = nil },
		"empty band name":   func(r *domain.Rules) { r.Bands[0].Name = "" },
		"upper-case name":   func(r *domain.Rules) { r.Bands[0].Name = "Urgent" },
		"duplicate name":    func(r *domain.Rules) { r.Bands[1].Name = "urgent" },
		"zero wait":         func(r *domain.Rules) { r.Bands[0].MaxWait = 0 },
		"seconds, not days": func(r *domain.Rules) { r.Bands[2].MaxWait = 3 * time.Second },
		"a year":            func(r *domain.Rules) { r.Bands[2].MaxWait = 365 * 24 * time.Hour },
		"no triage roles":   func(r *domain.Rules) { r.TriageRoles = nil },
		"unknown triager":   func(r *domain.Rules) { r.TriageRoles = []homevisits.Role{"receptionist"} },
		"no visit roles":    func(r *domain.Rules) { r.VisitRoles = nil },
		"unknown visitor":   func(r *domain.Rules) { r.VisitRoles = append(r.VisitRoles, "clinical-pharmacist") },
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			r := domain.DefaultRules()
			breakIt(&r)
			if err := r.Validate(); err == nil {
				t.Fatal("Validate accepted the rules")
			}
		})
	}
}

func TestTriageWindowMessages(t *testing.T) {
	now := time.Date(2026, 1, 13, 9, 0, 0, 0, time.UTC)
	_, err := rules.TriageWindow("urgent", time.Time{}, now.Add(3*time.Hour), now)
	if err == nil || !strings.Contains(err.Error(), "within 2 hours of triage") {
		t.Errorf("err = %v", err)
	}
	_, err = rules.TriageWindow("routine", time.Time{}, now.Add(100*time.Hour), now)
	if err == nil || !strings.Contains(err.Error(), "within 3 days of triage") {
		t.Errorf("err = %v", err)
	}
	_, err = rules.TriageWindow("", time.Time{}, time.Time{}, now)
	if err == nil || !strings.Contains(err.Error(), "urgent, same-day, routine") {
		t.Errorf("err = %v", err)
	}
}
