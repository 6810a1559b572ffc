package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	kitdomain "github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func requestCmd() domain.RequestVisitCmd {
	return domain.RequestVisitCmd{Patient: patient, Practice: "L84001", PCN: "U84001",
		Reason: "  Fall overnight, cannot get up\n", Source: homevisits.SourcePhone,
		Caller: homevisits.CallerRelative, Now: t0}
}

func TestRequestVisit(t *testing.T) {
	t.Run("records the request, reason trimmed", func(t *testing.T) {
		aggregatetest.Then(t, visitType, nil, domain.RequestVisit(requestCmd()), requested)
	})
	t.Run("from a care home", func(t *testing.T) {
		cmd := requestCmd()
		cmd.Source, cmd.Caller, cmd.CareHome = homevisits.SourceCareHome, homevisits.CallerCareHomeStaff, "home-willow-court"
		want := requested
		want.Source, want.Caller, want.CareHome = cmd.Source, cmd.Caller, cmd.CareHome
		aggregatetest.Then(t, visitType, nil, domain.RequestVisit(cmd), want)
	})
	t.Run("now in another zone is stored in UTC", func(t *testing.T) {
		cmd := requestCmd()
		cmd.Now = t0.In(time.FixedZone("BST", 3600))
		aggregatetest.Then(t, visitType, nil, domain.RequestVisit(cmd), requested)
	})
	t.Run("a visit that exists", func(t *testing.T) {
		for _, st := range domain.Statuses() {
			aggregatetest.Fails(t, visitType, histories[st], domain.RequestVisit(requestCmd()), kitdomain.ErrAlreadyExists)
		}
	})
}

func TestRequestVisitInvalid(t *testing.T) {
	cases := []struct {
		field  string
		breaks func(*domain.RequestVisitCmd)
	}{
		{"patient", func(c *domain.RequestVisitCmd) { c.Patient = "" }},
		{"patient", func(c *domain.RequestVisitCmd) { c.Patient = "943 476 5919" }},
		{"patient", func(c *domain.RequestVisitCmd) { c.Patient = "9434765919" }},
		{"patient", func(c *domain.RequestVisitCmd) { c.Patient = strings.Repeat("p", 65) }},
		{"practice", func(c *domain.RequestVisitCmd) { c.Practice = "" }},
		{"practice", func(c *domain.RequestVisitCmd) { c.Practice = "l84001" }},
		{"pcn", func(c *domain.RequestVisitCmd) { c.PCN = "" }},
		{"pcn", func(c *domain.RequestVisitCmd) { c.PCN = "U84.>" }},
		{"reason", func(c *domain.RequestVisitCmd) { c.Reason = " \n " }},
		{"reason", func(c *domain.RequestVisitCmd) { c.Reason = strings.Repeat("é", domain.MaxReasonLen+1) }},
		{"reason", func(c *domain.RequestVisitCmd) { c.Reason = "fall\x00" }},
		{"reason", func(c *domain.RequestVisitCmd) { c.Reason = "fall \xff" }},
		{"source", func(c *domain.RequestVisitCmd) { c.Source = "" }},
		{"source", func(c *domain.RequestVisitCmd) { c.Source = "fax" }},
		{"caller", func(c *domain.RequestVisitCmd) { c.Caller = "" }},
		{"caller", func(c *domain.RequestVisitCmd) { c.Caller = "neighbour" }},
		{"careHome", func(c *domain.RequestVisitCmd) { c.Source = homevisits.SourceCareHome }},
		{"careHome", func(c *domain.RequestVisitCmd) { c.Caller = homevisits.CallerCareHomeStaff }},
		{"careHome", func(c *domain.RequestVisitCmd) { c.CareHome = "Willow Court" }},
	}
	for _, c := range cases {
		cmd := requestCmd()
		c.breaks(&cmd)
		aggregatetest.Invalid(t, visitType, nil, domain.RequestVisit(cmd), c.field)
	}
}

func TestRequestVisitReasonAtTheLimit(t *testing.T) {
	cmd := requestCmd()
	cmd.Reason = strings.Repeat("é", domain.MaxReasonLen)
	want := requested
	want.Reason = cmd.Reason
	aggregatetest.Then(t, visitType, nil, domain.RequestVisit(cmd), want)
}
