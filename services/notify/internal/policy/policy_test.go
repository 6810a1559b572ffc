package policy_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/policytest"
	"github.com/careweave/careweave/services/notify/internal/policy"
)

// Callers, as their tokens describe them.
var principals = map[string]auth.Principal{
	"paramedic A (Jess)":           {Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"},
	"paramedic B (Owen)":           {Subject: "para-owen-jones", Role: "paramedic", Org: "U84001", PCN: "U84001"},
	"GP of Severn Vale":            {Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"},
	"coordinator of Severn Vale":   {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"},
	"coordinator of Forest Edge":   {Subject: "cc-forest", Role: "care-coordinator", Org: "U84002", PCN: "U84002"},
	"coordinator without a pcn":    {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
	"Severn ICT nurse":             {Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
	"Forest ICT nurse":             {Subject: "cn-forest", Role: "community-nurse", Org: "team-forest-ict", Team: "team-forest-ict"},
	"social worker of Severn":      {Subject: "sw-david-ross", Role: "social-worker", Org: "team-severn-social", Team: "team-severn-social"},
	"discharge coordinator":        {Subject: "dc-hannah-lee", Role: "discharge-coordinator", Org: "RTE"},
	"a Careweave process":          {Subject: "careweave-projector", Role: auth.SystemRole, Org: "careweave"},
	"a process named as Jess":      {Subject: "para-jess-patel", Role: auth.SystemRole, Org: "careweave", Team: "team-severn-ict"},
	"nobody":                       {},
	"Kate's team member as Owen's": {Subject: "para-owen-jones", Role: "community-nurse", Team: "team-severn-ict"},
}

var dir = directory.Demo()

// Resources, with the facts the handlers gather from the demo directory
// (and one team the demo does not have, covering both PCNs).
var resources = map[string]policy.Resource{
	"Jess's feed":                  policy.FeedOf(dir, "para-jess-patel"),
	"Owen's feed":                  policy.FeedOf(dir, "para-owen-jones"),
	"Maria's feed (Severn ICT)":    policy.FeedOf(dir, "dn-maria-silva"),
	"Dr Okafor's feed (practice)":  policy.FeedOf(dir, "gp-amara-okafor"),
	"Dr Khan's feed (Forest Edge)": policy.FeedOf(dir, "gp-farah-khan"),
	"Hannah's feed (hospital)":     policy.FeedOf(dir, "dc-hannah-lee"),
	"an unknown clinician's feed":  policy.FeedOf(dir, "para-nobody"),
	"Severn ICT's webhook":         policy.WebhookOf(dir, "team-severn-ict"),
	"Forest ICT's webhook":         policy.WebhookOf(dir, "team-forest-ict"),
	"a two-PCN team's webhook":     {Team: "team-both", TeamAreas: []string{"U84001", "U84002"}},
	"nothing":                      {},
}

const (
	own     = policy.BasisOwnFeed
	team    = policy.BasisOwnTeam
	pcnCoor = policy.BasisPCNCoordinator
)

// TestDecide is the whole policy: for every action and resource, who is
// allowed and on what basis. Every other caller is denied, with a reason.
func TestDecide(t *testing.T) {
	readAssignments := []policy.Action{policy.ReadAssignments}
	readWebhook := []policy.Action{policy.ReadWebhook}
	manageWebhook := []policy.Action{policy.ManageWebhook}
	deleteEverything := []policy.Action{"delete-everything"}
	table := []policytest.Row[policy.Action, string]{
		{Actions: readAssignments, Resource: "Jess's feed", Allowed: map[string]string{"paramedic A (Jess)": own, "coordinator of Severn Vale": pcnCoor}},
		{Actions: readAssignments, Resource: "Owen's feed", Allowed: map[string]string{"paramedic B (Owen)": own, "Kate's team member as Owen's": own, "coordinator of Severn Vale": pcnCoor}},
		{Actions: readAssignments, Resource: "Maria's feed (Severn ICT)", Allowed: map[string]string{"coordinator of Severn Vale": pcnCoor}},
		{Actions: readAssignments, Resource: "Dr Okafor's feed (practice)", Allowed: map[string]string{"GP of Severn Vale": own, "coordinator of Severn Vale": pcnCoor}},
		{Actions: readAssignments, Resource: "Dr Khan's feed (Forest Edge)", Allowed: map[string]string{"coordinator of Forest Edge": pcnCoor}},
		{Actions: readAssignments, Resource: "Hannah's feed (hospital)", Allowed: map[string]string{"discharge coordinator": own}},
		{Actions: readAssignments, Resource: "an unknown clinician's feed"},
		{Actions: readAssignments, Resource: "Severn ICT's webhook"},
		{Actions: readAssignments, Resource: "Forest ICT's webhook"},
		{Actions: readAssignments, Resource: "a two-PCN team's webhook"},
		{Actions: readAssignments, Resource: "nothing"},

		{Actions: readWebhook, Resource: "Severn ICT's webhook", Allowed: map[string]string{"Severn ICT nurse": team, "Kate's team member as Owen's": team, "coordinator of Severn Vale": pcnCoor}},
		{Actions: readWebhook, Resource: "Forest ICT's webhook", Allowed: map[string]string{"Forest ICT nurse": team, "coordinator of Forest Edge": pcnCoor}},
		{Actions: readWebhook, Resource: "a two-PCN team's webhook", Allowed: map[string]string{"coordinator of Severn Vale": pcnCoor, "coordinator of Forest Edge": pcnCoor}},
		{Actions: readWebhook, Resource: "Jess's feed"},
		{Actions: readWebhook, Resource: "Owen's feed"},
		{Actions: readWebhook, Resource: "Maria's feed (Severn ICT)"},
		{Actions: readWebhook, Resource: "Dr Okafor's feed (practice)"},
		{Actions: readWebhook, Resource: "Dr Khan's feed (Forest Edge)"},
		{Actions: readWebhook, Resource: "Hannah's feed (hospital)"},
		{Actions: readWebhook, Resource: "an unknown clinician's feed"},
		{Actions: readWebhook, Resource: "nothing"},

		{Actions: manageWebhook, Resource: "Severn ICT's webhook", Allowed: map[string]string{"Severn ICT nurse": team, "Kate's team member as Owen's": team, "coordinator of Severn Vale": pcnCoor}},
		{Actions: manageWebhook, Resource: "Forest ICT's webhook", Allowed: map[string]string{"Forest ICT nurse": team, "coordinator of Forest Edge": pcnCoor}},
		{Actions: manageWebhook, Resource: "a two-PCN team's webhook"},
		{Actions: manageWebhook, Resource: "Jess's feed"},
		{Actions: manageWebhook, Resource: "Owen's feed"},
		{Actions: manageWebhook, Resource: "Maria's feed (Severn ICT)"},
		{Actions: manageWebhook, Resource: "Dr Okafor's feed (practice)"},
		{Actions: manageWebhook, Resource: "Dr Khan's feed (Forest Edge)"},
		{Actions: manageWebhook, Resource: "Hannah's feed (hospital)"},
		{Actions: manageWebhook, Resource: "an unknown clinician's feed"},
		{Actions: manageWebhook, Resource: "nothing"},

		{Actions: deleteEverything, Resource: "Jess's feed"},
		{Actions: deleteEverything, Resource: "Severn ICT's webhook"},
	}

	policytest.Check(t, policy.Actions(), principals, resources, table,
		func(p auth.Principal, a policy.Action, r policy.Resource) policytest.Decision[string] {
			d := policy.Decide(p, a, r)
			return policytest.Decision[string]{Allowed: d.Allowed, Basis: d.Basis, Reason: d.Reason, Err: d.Err()}
		})
}

// The examples, with the reasons they are given.
func TestDenialsSayWhy(t *testing.T) {
	for _, c := range []struct {
		caller   string
		action   policy.Action
		resource string
		reason   string
	}{
		{"paramedic A (Jess)", policy.ReadAssignments, "Owen's feed", "read only by the clinician or a care coordinator of their PCN"},
		{"coordinator of Forest Edge", policy.ReadAssignments, "Jess's feed", "para-jess-patel does not work in your PCN (U84002)"},
		{"coordinator without a pcn", policy.ReadAssignments, "Jess's feed", "no pcn claim"},
		{"coordinator of Severn Vale", policy.ReadAssignments, "an unknown clinician's feed", "in no PCN"},
		{"Forest ICT nurse", policy.ManageWebhook, "Severn ICT's webhook", "managed only by its own members"},
		{"coordinator of Forest Edge", policy.ReadWebhook, "Severn ICT's webhook", "does not cover your PCN (U84002)"},
		{"coordinator of Severn Vale", policy.ManageWebhook, "a two-PCN team's webhook", "also covers PCNs other than yours"},
		{"a Careweave process", policy.ReadAssignments, "Jess's feed", "Careweave process"},
		{"nobody", policy.ReadWebhook, "Severn ICT's webhook", "not identified"},
	} {
		d := policy.Decide(principals[c.caller], c.action, resources[c.resource])
		if d.Allowed || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: %s %s = %+v, want denied because %q", c.caller, c.action, c.resource, d, c.reason)
		}
		var he *httpkit.Error
		if err := d.Err(); !errors.As(err, &he) || he.Kind != httpkit.KindForbidden || !strings.Contains(he.Message, c.reason) {
			t.Errorf("%s: %s %s: Err() = %v, want a 403 naming the reason", c.caller, c.action, c.resource, err)
		}
	}
}

func TestFactsFromTheDirectory(t *testing.T) {
	for clinician, want := range map[string][]string{
		"para-jess-patel": {"U84001"}, // works for the PCN
		"gp-tom-hughes":   {"U84001"}, // a practice in it
		"gp-farah-khan":   {"U84002"}, // a practice in the other
		"cn-kate-ward":    {"U84001"}, // a team covering it
		"dc-hannah-lee":   nil,        // a hospital
		"para-nobody":     nil,        // not in the directory
	} {
		if got := policy.FeedOf(dir, clinician); got.Clinician != clinician || !slices.Equal(got.ClinicianPCNs, want) {
			t.Errorf("FeedOf(%s) = %+v, want PCNs %v", clinician, got, want)
		}
	}
	if got := policy.WebhookOf(dir, "team-forest-ict"); got.Team != "team-forest-ict" || !slices.Equal(got.TeamAreas, []string{"U84002"}) {
		t.Errorf("WebhookOf(team-forest-ict) = %+v", got)
	}
	if got := policy.WebhookOf(dir, "team-nowhere"); got.Team != "team-nowhere" || len(got.TeamAreas) != 0 {
		t.Errorf("WebhookOf(team-nowhere) = %+v", got)
	}
}
