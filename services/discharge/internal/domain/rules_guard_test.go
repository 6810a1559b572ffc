package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

// Rules that were never validated are an internal error (not a 400 or a
// 409, and never a panic or a deadline equal to the discharge).
func TestCommandsRefuseToDecideWithInvalidRules(t *testing.T) {
	var zero dom.Rules
	cases := map[string]struct {
		given string
		when  aggregate.Decide[dom.StayState]
	}{
		"PlanDischarge":     {"admitted", dom.PlanDischarge(planCmd(), zero)},
		"DischargePatient":  {"planned", dom.DischargePatient(dischargeP1Cmd(), zero)},
		"ReferMedicines":    {"discharged", dom.ReferMedicines(referCmd(), zero)},
		"AssignFollowUp":    {"discharged", dom.AssignFollowUp(assignCmd(), zero)},
		"DetectReadmission": {"discharged", dom.DetectReadmission(readmitOn(dischargedAt.Add(48*time.Hour)), zero)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, v := aggregateGiven(histories()[c.given])
			got, err := c.when(s, v)
			var fe *domain.FieldError
			var te *domain.TransitionError
			if err == nil || len(got) != 0 || errors.As(err, &fe) || errors.As(err, &te) {
				t.Fatalf("decide = %v, %v; want a plain error", got, err)
			}
		})
	}
}
