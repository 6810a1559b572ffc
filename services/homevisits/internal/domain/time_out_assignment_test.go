package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func TestTimeOutAssignment(t *testing.T) {
	due := assigned.AssignedAt.Add(rules.AcceptWithin)
	t.Run("an assignment not accepted in time goes back to the coordinator", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAssigned], domain.TimeOutAssignment(rules, due.Add(time.Minute)),
			homevisits.AssignmentTimedOut{ClinicianID: jess, Role: homevisits.RoleParamedic, AssignedAt: assigned.AssignedAt,
				AcceptBy: due, TimedOutAt: due.Add(time.Minute)})
		s, _ := aggregatetest.Given(visitType, given(domain.StatusAssigned, homevisits.AssignmentTimedOut{ClinicianID: jess,
			Role: homevisits.RoleParamedic, AssignedAt: assigned.AssignedAt, AcceptBy: due, TimedOutAt: due})...)
		if s.Status != domain.StatusTimedOut || !domain.AcceptBy(rules, s).IsZero() {
			t.Fatalf("after a timeout: %+v", s)
		}
	})
	t.Run("not before the time is up", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAssigned], domain.TimeOutAssignment(rules, due.Add(-time.Second)))
	})
	for _, st := range []domain.Status{domain.StatusAccepted, domain.StatusDeclined, domain.StatusTimedOut, domain.StatusEnRoute,
		domain.StatusTriaged, domain.StatusCompleted, domain.StatusCancelled} {
		t.Run("nothing once "+string(st), func(t *testing.T) {
			aggregatetest.Then(t, visitType, histories[st], domain.TimeOutAssignment(rules, due.Add(time.Hour)))
		})
	}
	t.Run("a reassignment starts a new wait", func(t *testing.T) {
		h := given(domain.StatusAssigned, reassigned(sam, homevisits.RoleAdvancedPractitioner, ""))
		aggregatetest.Then(t, visitType, h, domain.TimeOutAssignment(rules, due.Add(time.Minute)))
		s, _ := aggregatetest.Given(visitType, h...)
		if got, want := domain.AcceptBy(rules, s), s.AssignedAt.Add(rules.AcceptWithin); !got.Equal(want) {
			t.Fatalf("accept by %s, want %s", got, want)
		}
	})
	notFound(t, domain.TimeOutAssignment(rules, due))
}

func TestAcceptWithinIsValidated(t *testing.T) {
	r := domain.DefaultRules()
	for _, d := range []time.Duration{0, time.Millisecond, 25 * time.Hour} {
		r.AcceptWithin = d
		if r.Validate() == nil {
			t.Errorf("acceptance time %s accepted", d)
		}
	}
}
