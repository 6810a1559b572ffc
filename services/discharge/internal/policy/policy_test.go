package policy_test

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/policytest"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// Callers, as their tokens describe them (the demo directory's people;
// a coordinator of the second PCN, a discharge coordinator of another
// trust, a member of the second PCN's team).
var principals = map[string]auth.Principal{
	"discharge coordinator of RTE (Hannah)": {Subject: "dc-hannah-lee", Role: "discharge-coordinator", Org: "RTE"},
	"discharge coordinator of RJ1":          {Subject: "dc-other-trust", Role: "discharge-coordinator", Org: "RJ1"},
	"discharge coordinator with no org":     {Subject: "dc-hannah-lee", Role: "discharge-coordinator"},
	"coordinator of Severn Vale":            {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"},
	"coordinator of Forest Edge":            {Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"},
	"coordinator with no pcn claim":         {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
	"GP of Severn Vale (Okafor)":            {Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"},
	"GP of Forest Edge (Khan)":              {Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"},
	"Severn ICT nurse (Kate)":               {Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
	"Severn ICT district nurse (Maria)":     {Subject: "dn-maria-silva", Role: "district-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
	"Severn social worker (David)":          {Subject: "sw-david-ross", Role: "social-worker", Org: "team-severn-social", Team: "team-severn-social"},
	"Forest ICT nurse":                      {Subject: "cn-forest", Role: "community-nurse", Org: "team-forest-ict", Team: "team-forest-ict"},
	"paramedic of Severn Vale (Jess)":       {Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"},
	"pharmacist of Severn Vale":             {Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"},
	"a Careweave process":                   {Subject: "careweave-notify", Role: auth.SystemRole, Org: "careweave", PCN: "U84001", Team: "team-severn-ict"},
	"nobody":                                {},
}

// Stays, as the handlers gather them from a stay's events (or, for an
// admission, from the request and the registry).
var stays = map[string]policy.Stay{
	"RTE, Severn Vale patient, no follow-up":      {Trust: "RTE", PCN: "U84001"},
	"RTE, Forest Edge patient, no follow-up":      {Trust: "RTE", PCN: "U84002"},
	"RTE, Severn Vale, routed to Severn ICT":      {Trust: "RTE", PCN: "U84001", FollowUpTeam: "team-severn-ict"},
	"RTE, Severn Vale, moved from ICT to social":  {Trust: "RTE", PCN: "U84001", FollowUpTeam: "team-severn-social"},
	"RTE, Severn Vale, ICT's discharge cancelled": {Trust: "RTE", PCN: "U84001", RetractedTeams: []string{"team-severn-ict"}},
	"RTE, Forest Edge, routed to Forest ICT":      {Trust: "RTE", PCN: "U84002", FollowUpTeam: "team-forest-ict"},
	"RJ1, Severn Vale patient, no follow-up":      {Trust: "RJ1", PCN: "U84001"},
	"a site naming no trust, a patient in no PCN": {},
}

var (
	hospitalActs = []policy.Action{policy.Admit, policy.Plan, policy.ChangePathway, policy.Discharge, policy.CancelDischarge,
		policy.ReceiveSummary, policy.ReferMedicines, policy.AssignFollowUp}
	read     = []policy.Action{policy.Read}
	outcomes = []policy.Action{policy.CompleteFollowUp, policy.FollowUpMissed}
)

var (
	hosp = policy.BasisHospitalStay
	pcn  = policy.BasisPCNPatient
	team = policy.BasisRoutedDischarge
)

// TestDecide is the whole policy: for every action on every stay, who is
// allowed and on what basis. Every other caller is denied, with a reason.
func TestDecide(t *testing.T) {
	hannah, rj1 := "discharge coordinator of RTE (Hannah)", "discharge coordinator of RJ1"
	ccS, ccF := "coordinator of Severn Vale", "coordinator of Forest Edge"
	gpS, gpF := "GP of Severn Vale (Okafor)", "GP of Forest Edge (Khan)"
	kate, maria, david, forestNurse := "Severn ICT nurse (Kate)", "Severn ICT district nurse (Maria)", "Severn social worker (David)", "Forest ICT nurse"
	type allowed = map[string]access.Basis
	severn := allowed{ccS: pcn, gpS: pcn}
	forest := allowed{ccF: pcn, gpF: pcn}
	with := func(m allowed, more allowed) allowed {
		out := maps.Clone(m)
		maps.Copy(out, more)
		return out
	}
	table := []policytest.Row[policy.Action, access.Basis]{
		{Actions: hospitalActs, Resource: "RTE, Severn Vale patient, no follow-up", Allowed: with(severn, allowed{hannah: hosp})},
		{Actions: read, Resource: "RTE, Severn Vale patient, no follow-up", Allowed: with(severn, allowed{hannah: hosp})},
		{Actions: outcomes, Resource: "RTE, Severn Vale patient, no follow-up", Allowed: severn},

		{Actions: hospitalActs, Resource: "RTE, Forest Edge patient, no follow-up", Allowed: with(forest, allowed{hannah: hosp})},
		{Actions: read, Resource: "RTE, Forest Edge patient, no follow-up", Allowed: with(forest, allowed{hannah: hosp})},
		{Actions: outcomes, Resource: "RTE, Forest Edge patient, no follow-up", Allowed: forest},

		{Actions: hospitalActs, Resource: "RTE, Severn Vale, routed to Severn ICT", Allowed: with(severn, allowed{hannah: hosp})},
		{Actions: read, Resource: "RTE, Severn Vale, routed to Severn ICT", Allowed: with(severn, allowed{hannah: hosp, kate: team, maria: team})},
		{Actions: outcomes, Resource: "RTE, Severn Vale, routed to Severn ICT", Allowed: with(severn, allowed{kate: team, maria: team})},

		{Actions: hospitalActs, Resource: "RTE, Severn Vale, moved from ICT to social", Allowed: with(severn, allowed{hannah: hosp})},
		{Actions: read, Resource: "RTE, Severn Vale, moved from ICT to social", Allowed: with(severn, allowed{hannah: hosp, david: team})},
		{Actions: outcomes, Resource: "RTE, Severn Vale, moved from ICT to social", Allowed: with(severn, allowed{david: team})},

		{Actions: hospitalActs, Resource: "RTE, Severn Vale, ICT's discharge cancelled", Allowed: with(severn, allowed{hannah: hosp})},
		{Actions: read, Resource: "RTE, Severn Vale, ICT's discharge cancelled", Allowed: with(severn, allowed{hannah: hosp, kate: team, maria: team})},
		{Actions: outcomes, Resource: "RTE, Severn Vale, ICT's discharge cancelled", Allowed: severn},

		{Actions: hospitalActs, Resource: "RTE, Forest Edge, routed to Forest ICT", Allowed: with(forest, allowed{hannah: hosp})},
		{Actions: read, Resource: "RTE, Forest Edge, routed to Forest ICT", Allowed: with(forest, allowed{hannah: hosp, forestNurse: team})},
		{Actions: outcomes, Resource: "RTE, Forest Edge, routed to Forest ICT", Allowed: with(forest, allowed{forestNurse: team})},

		{Actions: hospitalActs, Resource: "RJ1, Severn Vale patient, no follow-up", Allowed: with(severn, allowed{rj1: hosp})},
		{Actions: read, Resource: "RJ1, Severn Vale patient, no follow-up", Allowed: with(severn, allowed{rj1: hosp})},
		{Actions: outcomes, Resource: "RJ1, Severn Vale patient, no follow-up", Allowed: severn},

		{Actions: hospitalActs, Resource: "a site naming no trust, a patient in no PCN"},
		{Actions: read, Resource: "a site naming no trust, a patient in no PCN"},
		{Actions: outcomes, Resource: "a site naming no trust, a patient in no PCN"},

		{Actions: []policy.Action{"delete"}, Resource: "RTE, Severn Vale, routed to Severn ICT"},
	}

	policytest.Check(t, policy.Actions(), principals, stays, table,
		func(p auth.Principal, a policy.Action, r policy.Stay) policytest.Decision[access.Basis] {
			d := policy.Decide(p, a, r)
			return policytest.Decision[access.Basis]{Allowed: d.Allowed, Basis: d.Basis, Reason: d.Reason, Err: d.Err()}
		})
}

// The examples, with the reasons they are given.
func TestDenialsSayWhy(t *testing.T) {
	for _, c := range []struct {
		caller string
		action policy.Action
		stay   string
		reason string
	}{
		{"Forest ICT nurse", policy.Read, "RTE, Severn Vale, routed to Severn ICT", "not routed to your team (team-forest-ict)"},
		{"Severn ICT nurse (Kate)", policy.Read, "RTE, Severn Vale, moved from ICT to social", "not routed to your team (team-severn-ict)"},
		{"Severn ICT nurse (Kate)", policy.CompleteFollowUp, "RTE, Severn Vale, ICT's discharge cancelled", "its outcome is not yours to record"},
		{"Severn ICT nurse (Kate)", policy.AssignFollowUp, "RTE, Severn Vale, routed to Severn ICT", "a community team reads the discharges routed to it"},
		{"coordinator of Forest Edge", policy.Read, "RTE, Severn Vale patient, no follow-up", "this stay's patient is not registered in your PCN (U84002)"},
		{"coordinator of Forest Edge", policy.Admit, "RTE, Severn Vale patient, no follow-up", "the patient is not registered in your PCN (U84002)"},
		{"GP of Forest Edge (Khan)", policy.Discharge, "RTE, Severn Vale patient, no follow-up", "not registered in your PCN (U84002)"},
		{"coordinator with no pcn claim", policy.Plan, "RTE, Severn Vale patient, no follow-up", "no pcn claim"},
		{"discharge coordinator of RJ1", policy.Admit, "RTE, Severn Vale patient, no follow-up", "the hospital site is not one of your trust's (RJ1)"},
		{"discharge coordinator of RJ1", policy.Read, "RTE, Severn Vale patient, no follow-up", "not your trust's (RJ1)"},
		{"discharge coordinator with no org", policy.Read, "RTE, Severn Vale patient, no follow-up", "no org"},
		{"discharge coordinator of RTE (Hannah)", policy.CompleteFollowUp, "RTE, Severn Vale, routed to Severn ICT", "the community team's to record"},
		{"discharge coordinator of RTE (Hannah)", policy.Read, "a site naming no trust, a patient in no PCN", "names no trust"},
		{"pharmacist of Severn Vale", policy.Read, "RTE, Severn Vale patient, no follow-up", `"clinical-pharmacist" has no relationship with hospital stays`},
		{"paramedic of Severn Vale (Jess)", policy.Read, "RTE, Severn Vale patient, no follow-up", `"paramedic" has no relationship`},
		{"a Careweave process", policy.Read, "RTE, Severn Vale, routed to Severn ICT", "a Careweave process"},
		{"nobody", policy.Read, "RTE, Severn Vale patient, no follow-up", "not identified"},
	} {
		d := policy.Decide(principals[c.caller], c.action, stays[c.stay])
		if d.Allowed || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: %s on %s = %+v, want denied because %q", c.caller, c.action, c.stay, d, c.reason)
		}
		var he *httpkit.Error
		if err := d.Err(); !errors.As(err, &he) || he.Kind != httpkit.KindForbidden || !strings.Contains(he.Message, c.reason) {
			t.Errorf("%s: %s on %s: Err() = %v, want a 403 naming the reason", c.caller, c.action, c.stay, err)
		}
	}
}

func TestTrustOf(t *testing.T) {
	for site, want := range map[string]string{"RTE01": "RTE", "RJ1AB": "RJ1", "RTE": "RTE", "RTE0101": "", "": "", "RT": ""} {
		if got := policy.TrustOf(site); got != want {
			t.Errorf("TrustOf(%q) = %q, want %q", site, got, want)
		}
	}
}
