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
	"github.com/careweave/careweave/services/patients/internal/policy"
)

// Callers, as their tokens describe them (the demo directory's people; a
// coordinator of the second PCN).
var principals = map[string]auth.Principal{
	"coordinator of Severn Vale":      {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"},
	"coordinator of Forest Edge":      {Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"},
	"coordinator with no pcn claim":   {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
	"GP of Severn Vale (Okafor)":      {Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"},
	"GP of Forest Edge (Khan)":        {Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"},
	"pharmacist of Severn Vale":       {Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"},
	"paramedic of Severn Vale (Jess)": {Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"},
	"community nurse (Kate)":          {Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
	"discharge coordinator (Hannah)":  {Subject: "dc-hannah-lee", Role: "discharge-coordinator", Org: "RTE"},
	"receptionist of Severn Vale":     {Subject: "rx-desk-l84001", Role: "receptionist", Org: "L84001", PCN: "U84001"},
	"a Careweave process":             {Subject: "careweave-discharge", Role: auth.SystemRole, Org: "careweave"},
	"nobody":                          {},
}

// Patients, as the handlers gather them from a registration's events (or
// the request's practice, survivor or new practice).
var patients = map[string]policy.Patient{
	"Severn Vale patient":                       {PCN: "U84001"},
	"Forest Edge patient":                       {PCN: "U84002"},
	"Severn Vale record into a Severn Vale one": {PCN: "U84001", SurvivorPCN: "U84001"},
	"Severn Vale record into a Forest Edge one": {PCN: "U84001", SurvivorPCN: "U84002"},
	"a patient in no PCN":                       {},
}

var (
	writes  = []policy.Action{policy.Register, policy.ChangeDetails}
	move    = []policy.Action{policy.ChangePractice}
	merge   = []policy.Action{policy.Merge}
	find    = []policy.Action{policy.Resolve, policy.ReadRegistration}
	details = []policy.Action{policy.ReadDetails}
)

const (
	pcn = "relationship:registered-in-pcn"
	svc = "relationship:careweave-service"
)

// TestDecide is the whole policy: for every action on every patient, who
// is allowed and on what basis. Every other caller is denied, with a
// reason.
func TestDecide(t *testing.T) {
	type allowed = map[string]access.Basis
	ccS, ccF := "coordinator of Severn Vale", "coordinator of Forest Edge"
	gpS, gpF := "GP of Severn Vale (Okafor)", "GP of Forest Edge (Khan)"
	ravi, jess, system := "pharmacist of Severn Vale", "paramedic of Severn Vale (Jess)", "a Careweave process"
	severnW := allowed{ccS: pcn, gpS: pcn}
	forestW := allowed{ccF: pcn, gpF: pcn}
	severnR := allowed{ccS: pcn, gpS: pcn, ravi: pcn, jess: pcn}
	forestR := allowed{ccF: pcn, gpF: pcn}
	with := func(m allowed, more allowed) allowed {
		out := maps.Clone(m)
		maps.Copy(out, more)
		return out
	}
	sys := allowed{system: svc}
	table := []policytest.Row[policy.Action, access.Basis]{}
	for _, name := range []string{"Severn Vale patient", "Severn Vale record into a Severn Vale one", "Severn Vale record into a Forest Edge one"} {
		var m allowed // a merge: only into a record of the same PCN
		if name == "Severn Vale record into a Severn Vale one" {
			m = allowed{ccS: pcn}
		}
		table = append(table, []policytest.Row[policy.Action, access.Basis]{
			{Actions: writes, Resource: name, Allowed: severnW},
			{Actions: move, Resource: name, Allowed: severnW},
			{Actions: merge, Resource: name, Allowed: m},
			{Actions: find, Resource: name, Allowed: with(severnR, sys)},
			{Actions: details, Resource: name, Allowed: severnR},
		}...)
	}
	table = append(table, []policytest.Row[policy.Action, access.Basis]{
		{Actions: writes, Resource: "Forest Edge patient", Allowed: forestW},
		{Actions: move, Resource: "Forest Edge patient", Allowed: forestW},
		{Actions: merge, Resource: "Forest Edge patient"},
		{Actions: find, Resource: "Forest Edge patient", Allowed: with(forestR, sys)},
		{Actions: details, Resource: "Forest Edge patient", Allowed: forestR},

		{Actions: writes, Resource: "a patient in no PCN"},
		{Actions: move, Resource: "a patient in no PCN"},
		{Actions: merge, Resource: "a patient in no PCN"},
		{Actions: find, Resource: "a patient in no PCN", Allowed: sys},
		{Actions: details, Resource: "a patient in no PCN"},

		{Actions: []policy.Action{"delete"}, Resource: "Severn Vale patient"},
	}...)

	policytest.Check(t, policy.Actions(), principals, patients, table,
		func(p auth.Principal, a policy.Action, r policy.Patient) policytest.Decision[access.Basis] {
			d := policy.Decide(p, a, r)
			return policytest.Decision[access.Basis]{Allowed: d.Allowed, Basis: d.Basis, Reason: d.Reason, Err: d.Err()}
		})
}

// The reasons refusals give.
func TestDenialsSayWhy(t *testing.T) {
	for _, c := range []struct {
		caller  string
		action  policy.Action
		patient string
		reason  string
	}{
		{"coordinator of Forest Edge", policy.ReadDetails, "Severn Vale patient", "not registered in your PCN (U84002)"},
		{"coordinator of Forest Edge", policy.Register, "Severn Vale patient", "the practice is not in your PCN (U84002)"},
		{"GP of Forest Edge (Khan)", policy.ChangePractice, "Severn Vale patient", "a practice change is the current PCN's to make"},
		{"GP of Severn Vale (Okafor)", policy.Merge, "Severn Vale record into a Severn Vale one", "a merge is a care coordinator's"},
		{"coordinator of Severn Vale", policy.Merge, "Severn Vale record into a Forest Edge one", "the record kept is not registered in your PCN"},
		{"pharmacist of Severn Vale", policy.ChangeDetails, "Severn Vale patient", "a clinical-pharmacist finds and reads their PCN's patients"},
		{"community nurse (Kate)", policy.Resolve, "Severn Vale patient", "no pcn claim"},
		{"coordinator with no pcn claim", policy.Register, "Severn Vale patient", "no pcn claim"},
		{"discharge coordinator (Hannah)", policy.Resolve, "Severn Vale patient", `"discharge-coordinator" has no relationship with the patient registry`},
		{"receptionist of Severn Vale", policy.ReadDetails, "Severn Vale patient", `"receptionist" has no relationship`},
		{"a Careweave process", policy.ReadDetails, "Severn Vale patient", "never reads personal details"},
		{"a Careweave process", policy.Register, "Severn Vale patient", "never reads personal details or changes the registry"},
		{"nobody", policy.Resolve, "Severn Vale patient", "not identified"},
	} {
		d := policy.Decide(principals[c.caller], c.action, patients[c.patient])
		if d.Allowed || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: %s on %s = %+v, want denied because %q", c.caller, c.action, c.patient, d, c.reason)
		}
		var he *httpkit.Error
		if err := d.Err(); !errors.As(err, &he) || he.Kind != httpkit.KindForbidden || !strings.Contains(he.Message, c.reason) {
			t.Errorf("%s: %s on %s: Err() = %v, want a 403 naming the reason", c.caller, c.action, c.patient, err)
		}
	}
}
