package domain_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func TestHistoriesReachTheirStatus(t *testing.T) {
	for _, st := range domain.Statuses() {
		h, ok := histories[st]
		if !ok {
			t.Errorf("no history leads to %s", st)
			continue
		}
		if s, _ := aggregatetest.Given(visitType, h...); s.Status != st {
			t.Errorf("history for %s leads to %s", st, s.Status)
		}
	}
}

func TestTerminalStatuses(t *testing.T) {
	want := map[domain.Status]bool{domain.StatusTriagedNoVisit: true, domain.StatusCompleted: true,
		domain.StatusNoAccess: true, domain.StatusCancelled: true, domain.StatusEscalated: true}
	for _, st := range domain.Statuses() {
		if !st.Valid() || st.Terminal() != want[st] {
			t.Errorf("%s: valid %v, terminal %v; want terminal %v", st, st.Valid(), st.Terminal(), want[st])
		}
	}
	if domain.Status("").Valid() || domain.Status("done").Valid() {
		t.Error("unknown statuses are valid")
	}
}

func TestEvolveIgnoresUnknownEvents(t *testing.T) {
	s, _ := aggregatetest.Given(visitType, histories[domain.StatusAccepted]...)
	if got := domain.EvolveVisit(s, unknownEvent{}); got != s {
		t.Fatalf("an unknown event changed the state:\n got %+v\nwant %+v", got, s)
	}
}

type unknownEvent struct{}

func (unknownEvent) EventType() string { return "careweave.homevisits.something_else.v1" }

func TestRouteIsThePatientAndThePCN(t *testing.T) {
	s, _ := aggregatetest.Given(visitType, histories[domain.StatusOnSite]...)
	if subject, area := domain.RouteVisit(s); subject != patient || area != "U84001" {
		t.Fatalf("RouteVisit = %q, %q", subject, area)
	}
}

func TestEvolveFollowsTheVisit(t *testing.T) {
	s, v := aggregatetest.Given(visitType, histories[domain.StatusCompleted]...)
	want := domain.VisitState{
		Status: domain.StatusCompleted, Patient: patient, Practice: "L84001", PCN: "U84001",
		Reason: "Fall overnight, cannot get up", Source: homevisits.SourcePhone, Caller: homevisits.CallerRelative,
		RequestedAt: t0, TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "urgent",
		Window: urgentWindow, TriagedAt: at(10 * time.Minute), ClinicianID: jess, Role: homevisits.RoleParamedic,
		AssignedAt: at(15 * time.Minute), AcceptedAt: at(20 * time.Minute), EnRouteAt: at(30 * time.Minute),
		ArrivedAt: at(50 * time.Minute), Outcome: homevisits.OutcomeManagedAtHome, ClosedAt: at(90 * time.Minute),
	}
	if v != 7 || s != want {
		t.Fatalf("state at %d:\n got %+v\nwant %+v", v, s, want)
	}
}

func TestReassignmentClearsAcceptanceAndDecline(t *testing.T) {
	re := homevisits.VisitReassigned{FromClinicianID: jess, FromRole: homevisits.RoleParamedic, ClinicianID: owen,
		Role: homevisits.RoleParamedic, Urgency: "urgent", Window: urgentWindow, ReassignedAt: at(25 * time.Minute)}
	for _, st := range []domain.Status{domain.StatusAccepted, domain.StatusDeclined} {
		s, _ := aggregatetest.Given(visitType, given(st, re)...)
		if s.Status != domain.StatusAssigned || s.ClinicianID != owen || !s.AcceptedAt.IsZero() ||
			s.DeclineReason != "" || !s.DeclinedAt.IsZero() || !s.AssignedAt.Equal(at(25*time.Minute)) {
			t.Errorf("after %s and a reassignment: %+v", st, s)
		}
	}
}

func TestStateJSONLeavesOutWhatDoesNotApply(t *testing.T) {
	s, _ := aggregatetest.Given(visitType, histories[domain.StatusRequested]...)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"window", "triagedAt", "clinicianId", "closedAt", "acceptedAt"} {
		if strings.Contains(string(b), `"`+absent+`"`) {
			t.Errorf("a requested visit renders %q: %s", absent, b)
		}
	}
	if !strings.Contains(string(b), `"status":"requested"`) {
		t.Errorf("no status: %s", b)
	}
}
