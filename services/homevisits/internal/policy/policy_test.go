package policy_test

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/policytest"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

const (
	jess   = "para-jess-patel"
	owen   = "para-owen-jones"
	sam    = "acp-sam-reid"
	maria  = "dn-maria-silva"
	okafor = "gp-amara-okafor"
	khan   = "gp-farah-khan"
)

// Callers, as their tokens describe them (the demo directory's people; a
// coordinator of the second PCN).
var principals = map[string]auth.Principal{
	"coordinator of Severn Vale":    {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"},
	"coordinator of Forest Edge":    {Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"},
	"coordinator with no pcn claim": {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
	"GP of Severn Vale (Okafor)":    {Subject: okafor, Role: "gp", Org: "L84001", PCN: "U84001"},
	"GP of Forest Edge (Khan)":      {Subject: khan, Role: "gp", Org: "L84011", PCN: "U84002"},
	"paramedic A (Jess)":            {Subject: jess, Role: "paramedic", Org: "U84001", PCN: "U84001"},
	"paramedic B (Owen)":            {Subject: owen, Role: "paramedic", Org: "U84001", PCN: "U84001"},
	"ACP (Sam)":                     {Subject: sam, Role: "advanced-clinical-practitioner", Org: "U84001", PCN: "U84001"},
	"district nurse (Maria)":        {Subject: maria, Role: "district-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
	"pharmacist of Severn Vale":     {Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"},
	"community nurse":               {Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
	"receptionist of Severn Vale":   {Subject: "rx-desk-l84001", Role: "receptionist", Org: "L84001", PCN: "U84001"},
	"a Careweave process":           {Subject: "careweave-homevisits", Role: auth.SystemRole, Org: "careweave", PCN: "U84001"},
	"a process named as Jess":       {Subject: jess, Role: auth.SystemRole, Org: "careweave"},
	"nobody":                        {},
}

// Visits, as the handlers gather them from a visit's events (or, for a
// request, from the registry).
var visits = map[string]policy.Visit{
	"a Severn Vale patient's, unassigned":  {PCN: "U84001"},
	"a Forest Edge patient's, unassigned":  {PCN: "U84002"},
	"Severn Vale, assigned to Jess":        {PCN: "U84001", Clinician: jess, Assigned: []string{jess}},
	"Severn Vale, moved from Jess to Owen": {PCN: "U84001", Clinician: owen, Assigned: []string{jess, owen}},
	"Severn Vale, moved from Sam to Maria": {PCN: "U84001", Clinician: maria, Assigned: []string{sam, maria}},
	"Severn Vale, assigned to Dr Okafor":   {PCN: "U84001", Clinician: okafor, Assigned: []string{okafor}},
	"Severn Vale, assigned to Dr Khan":     {PCN: "U84001", Clinician: khan, Assigned: []string{khan}},
	"no PCN, no one":                       {},
}

var (
	request      = []policy.Action{policy.Request}
	read         = []policy.Action{policy.Read}
	coordinating = []policy.Action{policy.Triage, policy.Assign, policy.Reassign, policy.Cancel, policy.Escalate}
	acts         = []policy.Action{policy.Accept, policy.Decline, policy.EnRoute, policy.OnSite, policy.Complete, policy.NoAccess}
)

const (
	pcn  = policy.BasisPCNPatient
	mine = policy.BasisAssignedVisit
	was  = policy.BasisPreviouslyAssigned
)

// TestDecide is the whole policy: for every action on every visit, who is
// allowed and on what basis. Every other caller is denied, with a reason.
func TestDecide(t *testing.T) {
	ccS, ccF := "coordinator of Severn Vale", "coordinator of Forest Edge"
	gpS, gpF := "GP of Severn Vale (Okafor)", "GP of Forest Edge (Khan)"
	severn := map[string]string{ccS: pcn, gpS: pcn}
	forest := map[string]string{ccF: pcn, gpF: pcn}
	with := func(m map[string]string, more ...string) map[string]string {
		out := maps.Clone(m)
		for i := 0; i < len(more); i += 2 {
			out[more[i]] = more[i+1]
		}
		return out
	}
	table := []policytest.Row[policy.Action, string]{
		{Actions: request, Resource: "a Severn Vale patient's, unassigned", Allowed: severn},
		{Actions: read, Resource: "a Severn Vale patient's, unassigned", Allowed: severn},
		{Actions: coordinating, Resource: "a Severn Vale patient's, unassigned", Allowed: severn},
		{Actions: acts, Resource: "a Severn Vale patient's, unassigned", Allowed: map[string]string{ccS: pcn}},

		{Actions: request, Resource: "a Forest Edge patient's, unassigned", Allowed: forest},
		{Actions: read, Resource: "a Forest Edge patient's, unassigned", Allowed: forest},
		{Actions: coordinating, Resource: "a Forest Edge patient's, unassigned", Allowed: forest},
		{Actions: acts, Resource: "a Forest Edge patient's, unassigned", Allowed: map[string]string{ccF: pcn}},

		{Actions: request, Resource: "Severn Vale, assigned to Jess", Allowed: severn},
		{Actions: read, Resource: "Severn Vale, assigned to Jess", Allowed: with(severn, "paramedic A (Jess)", mine)},
		{Actions: coordinating, Resource: "Severn Vale, assigned to Jess", Allowed: severn},
		{Actions: acts, Resource: "Severn Vale, assigned to Jess", Allowed: map[string]string{ccS: pcn, "paramedic A (Jess)": mine}},

		{Actions: request, Resource: "Severn Vale, moved from Jess to Owen", Allowed: severn},
		{Actions: read, Resource: "Severn Vale, moved from Jess to Owen", Allowed: with(severn, "paramedic A (Jess)", was, "paramedic B (Owen)", mine)},
		{Actions: coordinating, Resource: "Severn Vale, moved from Jess to Owen", Allowed: severn},
		{Actions: acts, Resource: "Severn Vale, moved from Jess to Owen", Allowed: map[string]string{ccS: pcn, "paramedic B (Owen)": mine}},

		{Actions: request, Resource: "Severn Vale, moved from Sam to Maria", Allowed: severn},
		{Actions: read, Resource: "Severn Vale, moved from Sam to Maria", Allowed: with(severn, "ACP (Sam)", was, "district nurse (Maria)", mine)},
		{Actions: coordinating, Resource: "Severn Vale, moved from Sam to Maria", Allowed: severn},
		{Actions: acts, Resource: "Severn Vale, moved from Sam to Maria", Allowed: map[string]string{ccS: pcn, "district nurse (Maria)": mine}},

		{Actions: request, Resource: "Severn Vale, assigned to Dr Okafor", Allowed: severn},
		{Actions: read, Resource: "Severn Vale, assigned to Dr Okafor", Allowed: severn},
		{Actions: coordinating, Resource: "Severn Vale, assigned to Dr Okafor", Allowed: severn},
		{Actions: acts, Resource: "Severn Vale, assigned to Dr Okafor", Allowed: map[string]string{ccS: pcn, gpS: mine}},

		{Actions: request, Resource: "Severn Vale, assigned to Dr Khan", Allowed: severn},
		{Actions: read, Resource: "Severn Vale, assigned to Dr Khan", Allowed: with(severn, gpF, mine)},
		{Actions: coordinating, Resource: "Severn Vale, assigned to Dr Khan", Allowed: severn},
		{Actions: acts, Resource: "Severn Vale, assigned to Dr Khan", Allowed: map[string]string{ccS: pcn, gpF: mine}},

		{Actions: request, Resource: "no PCN, no one"},
		{Actions: read, Resource: "no PCN, no one"},
		{Actions: coordinating, Resource: "no PCN, no one"},
		{Actions: acts, Resource: "no PCN, no one"},

		{Actions: []policy.Action{"delete"}, Resource: "Severn Vale, assigned to Jess"},
	}

	policytest.Check(t, policy.Actions(), principals, visits, table,
		func(p auth.Principal, a policy.Action, v policy.Visit) policytest.Decision[string] {
			d := policy.Decide(p, a, v)
			return policytest.Decision[string]{Allowed: d.Allowed, Basis: d.Basis, Reason: d.Reason, Err: d.Err()}
		})
}

// The examples, with the reasons they are given.
func TestDenialsSayWhy(t *testing.T) {
	for _, c := range []struct {
		caller string
		action policy.Action
		visit  string
		reason string
	}{
		{"paramedic A (Jess)", policy.Read, "a Severn Vale patient's, unassigned", "a paramedic reads only visits assigned to them, now or before"},
		{"paramedic B (Owen)", policy.Read, "Severn Vale, assigned to Jess", "a paramedic reads only visits assigned to them"},
		{"paramedic B (Owen)", policy.Accept, "Severn Vale, assigned to Jess", "only the clinician this visit is assigned to"},
		{"paramedic A (Jess)", policy.Accept, "Severn Vale, moved from Jess to Owen", "only the clinician this visit is assigned to"},
		{"paramedic A (Jess)", policy.Assign, "Severn Vale, assigned to Jess", "a paramedic does not assign visits"},
		{"paramedic A (Jess)", policy.Request, "a Severn Vale patient's, unassigned", "a paramedic does not request visits"},
		{"coordinator of Forest Edge", policy.Read, "Severn Vale, assigned to Jess", "this visit's patient is not registered in your PCN (U84002)"},
		{"coordinator of Forest Edge", policy.Request, "a Severn Vale patient's, unassigned", "the patient is not registered in your PCN (U84002)"},
		{"GP of Forest Edge (Khan)", policy.Triage, "a Severn Vale patient's, unassigned", "not registered in your PCN (U84002)"},
		{"GP of Forest Edge (Khan)", policy.Read, "a Severn Vale patient's, unassigned", "a GP reads visits of patients in their PCN"},
		{"coordinator with no pcn claim", policy.Cancel, "a Severn Vale patient's, unassigned", "no pcn claim"},
		{"pharmacist of Severn Vale", policy.Read, "a Severn Vale patient's, unassigned", `"clinical-pharmacist" has no relationship with home visits`},
		{"a Careweave process", policy.Read, "a Severn Vale patient's, unassigned", "a Careweave process"},
		{"nobody", policy.Read, "a Severn Vale patient's, unassigned", "not identified"},
	} {
		d := policy.Decide(principals[c.caller], c.action, visits[c.visit])
		if d.Allowed || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: %s on %s = %+v, want denied because %q", c.caller, c.action, c.visit, d, c.reason)
		}
		var he *httpkit.Error
		if err := d.Err(); !errors.As(err, &he) || he.Kind != httpkit.KindForbidden || !strings.Contains(he.Message, c.reason) {
			t.Errorf("%s: %s on %s: Err() = %v, want a 403 naming the reason", c.caller, c.action, c.visit, err)
		}
	}
}
