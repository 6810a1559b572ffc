package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/policytest"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

// Callers, as their tokens describe them (the demo directory's people;
// clinicians and a coordinator of the second PCN).
var principals = map[string]auth.Principal{
	"coordinator of Severn Vale":    {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"},
	"coordinator of Forest Edge":    {Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"},
	"coordinator with no pcn claim": {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
	"GP of Severn Vale (Okafor)":    {Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"},
	"GP of Forest Edge (Khan)":      {Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"},
	"pharmacist of Severn Vale":     {Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"},
	"pharmacist of Forest Edge":     {Subject: "pharm-forest-edge", Role: "clinical-pharmacist", Org: "U84002", PCN: "U84002"},
	"ACP of Severn Vale":            {Subject: "acp-sam-reid", Role: "advanced-clinical-practitioner", Org: "U84001", PCN: "U84001"},
	"paramedic of Severn Vale":      {Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"},
	"district nurse of Severn Vale": {Subject: "dn-maria-silva", Role: "district-nurse", Org: "team-severn-ict", PCN: "U84001", Team: "team-severn-ict"},
	"district nurse, team only":     {Subject: "dn-maria-silva", Role: "district-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
	"community nurse":               {Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", PCN: "U84001", Team: "team-severn-ict"},
	"social worker":                 {Subject: "sw-david-ross", Role: "social-worker", Org: "team-severn-social", PCN: "U84001", Team: "team-severn-social"},
	"receptionist of Severn Vale":   {Subject: "rx-desk-l84001", Role: "receptionist", Org: "L84001", PCN: "U84001"},
	"a Careweave process":           {Subject: "careweave-carehomes", Role: auth.SystemRole, Org: "careweave", PCN: "U84001"},
	"nobody":                        {},
}

// Homes, as the handlers gather them from a round's or residency's events
// (or the directory).
var homes = map[string]policy.Home{
	"Willow Court (Severn Vale)": {PCN: "U84001"},
	"Oakfield (Forest Edge)":     {PCN: "U84002"},
	"a home aligned to no PCN":   {},
}

const aligned = "relationship:aligned-care-home"

// TestDecide is the whole policy: for every action for every home, who is
// allowed and on what basis. Every other caller is denied, with a reason.
func TestDecide(t *testing.T) {
	severn := map[string]access.Basis{}
	for _, c := range []string{"coordinator of Severn Vale", "GP of Severn Vale (Okafor)", "pharmacist of Severn Vale",
		"ACP of Severn Vale", "paramedic of Severn Vale", "district nurse of Severn Vale"} {
		severn[c] = aligned
	}
	forest := map[string]access.Basis{"coordinator of Forest Edge": aligned, "GP of Forest Edge (Khan)": aligned, "pharmacist of Forest Edge": aligned}
	all := policy.Actions()
	table := []policytest.Row[policy.Action, access.Basis]{
		{Actions: all, Resource: "Willow Court (Severn Vale)", Allowed: severn},
		{Actions: all, Resource: "Oakfield (Forest Edge)", Allowed: forest},
		{Actions: all, Resource: "a home aligned to no PCN"},
		{Actions: []policy.Action{"delete"}, Resource: "Willow Court (Severn Vale)"},
	}

	if len(all) != 18 {
		t.Errorf("%d actions, want one per route (18)", len(all))
	}
	policytest.Check(t, all, principals, homes, table,
		func(p auth.Principal, a policy.Action, h policy.Home) policytest.Decision[access.Basis] {
			d := policy.Decide(p, a, h)
			return policytest.Decision[access.Basis]{Allowed: d.Allowed, Basis: d.Basis, Reason: d.Reason, Err: d.Err()}
		})
}

// The examples, with the reasons they are given.
func TestDenialsSayWhy(t *testing.T) {
	for _, c := range []struct {
		caller string
		action policy.Action
		home   string
		reason string
	}{
		{"pharmacist of Forest Edge", policy.ReadResidency, "Willow Court (Severn Vale)", "not aligned to your PCN (U84002)"},
		{"GP of Forest Edge (Khan)", policy.Review, "Willow Court (Severn Vale)", "not aligned to your PCN (U84002)"},
		{"coordinator of Forest Edge", policy.Admit, "Willow Court (Severn Vale)", "not aligned to your PCN (U84002)"},
		{"coordinator of Severn Vale", policy.ScheduleRound, "Oakfield (Forest Edge)", "not aligned to your PCN (U84001)"},
		{"coordinator with no pcn claim", policy.ListResidents, "Willow Court (Severn Vale)", "no pcn claim"},
		{"district nurse, team only", policy.ReadRound, "Willow Court (Severn Vale)", "no pcn claim"},
		{"social worker", policy.ReadResidency, "Willow Court (Severn Vale)", `"social-worker" has no relationship with care homes`},
		{"a Careweave process", policy.ReadRound, "Willow Court (Severn Vale)", "a Careweave process"},
		{"nobody", policy.ReadRound, "Willow Court (Severn Vale)", "not identified"},
		{"coordinator of Severn Vale", policy.ReadRound, "a home aligned to no PCN", "aligned to no PCN"},
	} {
		d := policy.Decide(principals[c.caller], c.action, homes[c.home])
		if d.Allowed || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: %s for %s = %+v, want denied because %q", c.caller, c.action, c.home, d, c.reason)
		}
		var he *httpkit.Error
		if err := d.Err(); !errors.As(err, &he) || he.Kind != httpkit.KindForbidden || !strings.Contains(he.Message, c.reason) {
			t.Errorf("%s: %s for %s: Err() = %v, want a 403 naming the reason", c.caller, c.action, c.home, err)
		}
	}
}
