package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/policytest"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

// Callers, as their tokens describe them (the demo directory's people; a
// coordinator and a pharmacist of the second PCN).
var principals = map[string]auth.Principal{
	"coordinator of Severn Vale":    {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"},
	"coordinator of Forest Edge":    {Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"},
	"coordinator with no pcn claim": {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
	"pharmacist of Severn Vale":     {Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"},
	"pharmacist of Forest Edge":     {Subject: "pharm-forest", Role: "clinical-pharmacist", Org: "U84002", PCN: "U84002"},
	"GP of Severn Vale (Okafor)":    {Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"},
	"GP of Forest Edge (Khan)":      {Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"},
	"paramedic of Severn Vale":      {Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"},
	"district nurse":                {Subject: "dn-maria-silva", Role: "district-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
	"a Careweave process":           {Subject: "careweave-medreviews", Role: auth.SystemRole, Org: "careweave", PCN: "U84001"},
	"nobody":                        {},
}

var dir = directory.Demo()

// Reviews, as the handlers gather them from a review's events (or, for an
// identification, from the registry) and the clinician its request names.
var reviews = map[string]policy.Review{
	"a Severn Vale patient's":                {PCN: "U84001"},
	"a Forest Edge patient's":                {PCN: "U84002"},
	"Severn Vale, for pharmacist Ravi":       {PCN: "U84001", Named: policy.ClinicianOf(dir, "pharm-ravi-shah")},
	"Severn Vale, for Dr Okafor":             {PCN: "U84001", Named: policy.ClinicianOf(dir, "gp-amara-okafor")},
	"Severn Vale, for Dr Khan (Forest Edge)": {PCN: "U84001", Named: policy.ClinicianOf(dir, "gp-farah-khan")},
	"Severn Vale, for a paramedic":           {PCN: "U84001", Named: policy.ClinicianOf(dir, "para-jess-patel")},
	"Forest Edge, for Dr Khan":               {PCN: "U84002", Named: policy.ClinicianOf(dir, "gp-farah-khan")},
	"no PCN":                                 {},
}

var (
	caseload  = []policy.Action{policy.Identify, policy.Read, policy.Invite, policy.Book, policy.Rebook, policy.DidNotAttend, policy.Complete, policy.Decline, policy.Close}
	recording = []policy.Action{policy.Recommend, policy.Accept, policy.Reject}
)

const smr = "relationship:smr-caseload"

func TestClinicianOf(t *testing.T) {
	for id, want := range map[string]policy.Clinician{
		"pharm-ravi-shah": {ID: "pharm-ravi-shah", Role: "clinical-pharmacist", PCN: "U84001"},
		"gp-amara-okafor": {ID: "gp-amara-okafor", Role: "gp", PCN: "U84001"},
		"gp-farah-khan":   {ID: "gp-farah-khan", Role: "gp", PCN: "U84002"},
		"dn-maria-silva":  {ID: "dn-maria-silva", Role: "district-nurse"},
		"nobody-here":     {ID: "nobody-here"},
	} {
		if got := policy.ClinicianOf(dir, id); got != want {
			t.Errorf("ClinicianOf(%s) = %+v, want %+v", id, got, want)
		}
	}
}

// TestDecide is the whole policy: for every action on every review, who is
// allowed and on what basis. Every other caller is denied, with a reason.
func TestDecide(t *testing.T) {
	ccS, ccF := "coordinator of Severn Vale", "coordinator of Forest Edge"
	phS, phF := "pharmacist of Severn Vale", "pharmacist of Forest Edge"
	gpS, gpF := "GP of Severn Vale (Okafor)", "GP of Forest Edge (Khan)"
	severn := map[string]access.Basis{ccS: smr, phS: smr, gpS: smr}
	forest := map[string]access.Basis{ccF: smr, phF: smr, gpF: smr}
	severnClinicians := map[string]access.Basis{phS: smr, gpS: smr}
	forestClinicians := map[string]access.Basis{phF: smr, gpF: smr}
	table := []policytest.Row[policy.Action, access.Basis]{
		{Actions: caseload, Resource: "a Severn Vale patient's", Allowed: severn},
		{Actions: recording, Resource: "a Severn Vale patient's", Allowed: severnClinicians},
		{Actions: caseload, Resource: "a Forest Edge patient's", Allowed: forest},
		{Actions: recording, Resource: "a Forest Edge patient's", Allowed: forestClinicians},
		{Actions: caseload, Resource: "Severn Vale, for pharmacist Ravi", Allowed: severn},
		{Actions: recording, Resource: "Severn Vale, for pharmacist Ravi", Allowed: severn},
		{Actions: caseload, Resource: "Severn Vale, for Dr Okafor", Allowed: severn},
		{Actions: recording, Resource: "Severn Vale, for Dr Okafor", Allowed: severn},
		{Actions: caseload, Resource: "Severn Vale, for Dr Khan (Forest Edge)", Allowed: severn},
		{Actions: recording, Resource: "Severn Vale, for Dr Khan (Forest Edge)", Allowed: severnClinicians},
		{Actions: caseload, Resource: "Severn Vale, for a paramedic", Allowed: severn},
		{Actions: recording, Resource: "Severn Vale, for a paramedic", Allowed: severnClinicians},
		{Actions: caseload, Resource: "Forest Edge, for Dr Khan", Allowed: forest},
		{Actions: recording, Resource: "Forest Edge, for Dr Khan", Allowed: forest},
		{Actions: caseload, Resource: "no PCN"},
		{Actions: recording, Resource: "no PCN"},
		{Actions: []policy.Action{"delete"}, Resource: "a Severn Vale patient's"},
	}

	policytest.Check(t, policy.Actions(), principals, reviews, table,
		func(p auth.Principal, a policy.Action, r policy.Review) policytest.Decision[access.Basis] {
			d := policy.Decide(p, a, r)
			return policytest.Decision[access.Basis]{Allowed: d.Allowed, Basis: d.Basis, Reason: d.Reason, Err: d.Err()}
		})
}

// The examples, with the reasons they are given.
func TestDenialsSayWhy(t *testing.T) {
	for _, c := range []struct {
		caller string
		action policy.Action
		review string
		reason string
	}{
		{"pharmacist of Forest Edge", policy.Read, "a Severn Vale patient's", "this review's patient is not registered in your PCN (U84002)"},
		{"pharmacist of Forest Edge", policy.Recommend, "Severn Vale, for pharmacist Ravi", "not registered in your PCN (U84002)"},
		{"GP of Forest Edge (Khan)", policy.Accept, "Severn Vale, for Dr Khan (Forest Edge)", "not registered in your PCN (U84002)"},
		{"coordinator of Forest Edge", policy.Identify, "a Severn Vale patient's", "the patient is not registered in your PCN (U84002)"},
		{"coordinator of Severn Vale", policy.Recommend, "a Severn Vale patient's", "a care coordinator only records one for a pharmacist or GP of their PCN"},
		{"coordinator of Severn Vale", policy.Reject, "Severn Vale, for Dr Khan (Forest Edge)", "a care coordinator only records one for a pharmacist or GP of their PCN"},
		{"coordinator with no pcn claim", policy.Complete, "a Severn Vale patient's", "no pcn claim"},
		{"paramedic of Severn Vale", policy.Read, "a Severn Vale patient's", `"paramedic" has no relationship with structured medication reviews`},
		{"a Careweave process", policy.Read, "a Severn Vale patient's", "a Careweave process"},
		{"nobody", policy.Read, "a Severn Vale patient's", "not identified"},
	} {
		d := policy.Decide(principals[c.caller], c.action, reviews[c.review])
		if d.Allowed || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: %s on %s = %+v, want denied because %q", c.caller, c.action, c.review, d, c.reason)
		}
		var he *httpkit.Error
		if err := d.Err(); !errors.As(err, &he) || he.Kind != httpkit.KindForbidden || !strings.Contains(he.Message, c.reason) {
			t.Errorf("%s: %s on %s: Err() = %v, want a 403 naming the reason", c.caller, c.action, c.review, err)
		}
	}
}
