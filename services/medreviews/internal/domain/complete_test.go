package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func completeCmd() mr.CompleteCmd {
	return mr.CompleteCmd{Mode: medreviews.ModeCareHome, ClinicianID: pharmacist, ClinicianRole: medreviews.RoleClinicalPharmacist,
		CompletedAt: tCompleted, Summary: "\tReviewed 11 medicines with the patient and the home's nurse.\n", Now: now}
}

func TestComplete(t *testing.T) {
	aggregatetest.Then(t, reviewType, history(mr.StatusBooked), mr.Complete(rules, completeCmd()), completed())
}

func TestCompleteOpportunistically(t *testing.T) {
	for _, s := range []mr.ReviewStatus{mr.StatusIdentified, mr.StatusInvited} {
		t.Run(string(s), func(t *testing.T) {
			cmd := mr.CompleteCmd{Mode: medreviews.ModeTelephone, ClinicianID: gp, ClinicianRole: medreviews.RoleGP,
				Summary: "Reviewed by phone\nwhile discussing results.", Now: now}
			aggregatetest.Then(t, reviewType, history(s), mr.Complete(rules, cmd),
				medreviews.ReviewCompleted{Mode: medreviews.ModeTelephone, ClinicianID: gp, ClinicianRole: medreviews.RoleGP,
					CompletedAt: now, Summary: "Reviewed by phone\nwhile discussing results.",
					SnomedCode: "1239511000000100", FollowUpBy: now.AddDate(0, 0, 90)})
		})
	}
}

func TestCompleteFollowUpFollowsTheRules(t *testing.T) {
	r := rules
	r.FollowUpDays = 365
	want := completed()
	want.FollowUpBy = tCompleted.AddDate(1, 0, 0)
	aggregatetest.Then(t, reviewType, history(mr.StatusBooked), mr.Complete(r, completeCmd()), want)
}

func TestCompleteAgainRecordsNothing(t *testing.T) {
	aggregatetest.Then(t, reviewType, history(mr.StatusCompleted), mr.Complete(rules, completeCmd()))
	cmd := completeCmd()
	cmd.CompletedAt = time.Time{} // a retry that left the time to the clock
	aggregatetest.Then(t, reviewType, history(mr.StatusCompleted), mr.Complete(rules, cmd))
}

func TestCompleteRefused(t *testing.T) {
	for _, s := range except(mr.StatusIdentified, mr.StatusInvited, mr.StatusBooked) {
		t.Run(string(s), func(t *testing.T) {
			cmd := completeCmd()
			cmd.Summary = "A different review"
			aggregatetest.Refused(t, reviewType, history(s), mr.Complete(rules, cmd), string(s))
		})
	}
}

func TestCompleteNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.Complete(rules, completeCmd()), domain.ErrNotFound)
}

func TestCompleteInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		given []events.Data
		edit  func(*mr.CompleteCmd)
	}{
		"no mode":               {"mode", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.Mode = "" }},
		"care home but at home": {"mode", []events.Data{identifiedAtHome()}, func(c *mr.CompleteCmd) { c.CompletedAt = time.Time{} }},
		"no clinician":          {"clinicianId", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.ClinicianID = "" }},
		"unknown clinician":     {"clinicianId", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.ClinicianRole = "" }},
		"a care coordinator":    {"clinicianId", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.ClinicianID, c.ClinicianRole = "cc-nia-brown", "care-coordinator" }},
		"in the future":         {"completedAt", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.CompletedAt = now.Add(time.Second) }},
		"before identification": {"completedAt", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.CompletedAt = tIdentified.Add(-time.Hour) }},
		"no summary":            {"summary", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.Summary = " \n " }},
		"summary too long":      {"summary", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.Summary = strings.Repeat("é", 4001) }},
		"summary not UTF-8":     {"summary", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.Summary = "bad \xff byte" }},
		"control in summary":    {"summary", history(mr.StatusBooked), func(c *mr.CompleteCmd) { c.Summary = "bell\a" }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := completeCmd()
			tc.edit(&cmd)
			aggregatetest.Invalid(t, reviewType, tc.given, mr.Complete(rules, cmd), tc.field)
		})
	}
}
