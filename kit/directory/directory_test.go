package directory_test

import (
	"strings"
	"testing"

	"github.com/careweave/careweave/kit/directory"
)

func TestDemoIsValidAndJoinedUp(t *testing.T) {
	d := directory.Demo()
	p, ok := d.Practice("L84002")
	if !ok || p.PCN != "U84001" {
		t.Fatalf("practice L84002 = %+v, %v", p, ok)
	}
	if h, ok := d.CareHome("home-willow-court"); !ok || h.PCN != "U84001" {
		t.Fatalf("care home = %+v", h)
	}
	if teams := d.TeamsCovering("U84001"); len(teams) != 2 {
		t.Fatalf("teams covering U84001 = %+v", teams)
	}
	if c, ok := d.Clinician("para-jess-patel"); !ok || c.Role != directory.RoleParamedic {
		t.Fatalf("clinician = %+v", c)
	}
}

func TestParseRefusesBrokenReferences(t *testing.T) {
	cases := map[string]string{
		"unknown pcn":   `{"version":"1","pcns":[],"practices":[{"ods":"L1001","name":"x","pcn":"U9"}]}`,
		"duplicate":     `{"version":"1","pcns":[{"ods":"U1001","name":"a"},{"ods":"U1001","name":"b"}]}`,
		"bad role":      `{"version":"1","clinicians":[{"id":"c-1","name":"x","role":"wizard","org":"U1"}]}`,
		"unknown field": `{"version":"1","colour":"red"}`,
		"no version":    `{}`,
		"unknown lead":  `{"version":"1","pcns":[{"ods":"U1001","name":"a"}],"careHomes":[{"id":"h-1","name":"h","pcn":"U1001","clinicalLead":"nobody"}]}`,
		// They would share care.notify.<id>.> and a NATS user.
		"team named as a clinician": `{"version":"1","pcns":[{"ods":"U1001","name":"a"}],"clinicians":[{"id":"ict-1","name":"x","role":"paramedic","org":"U1001"}],` +
			`"communityTeams":[{"id":"ict-1","name":"ICT","areas":["U1001"]}]}`,
	}
	for name, doc := range cases {
		if _, err := directory.Parse([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The same document with its own id for the team is fine.
	ok := `{"version":"1","pcns":[{"ods":"U1001","name":"a"}],"clinicians":[{"id":"ict-1","name":"x","role":"paramedic","org":"U1001"}],` +
		`"communityTeams":[{"id":"team-ict-1","name":"ICT","areas":["U1001"]}]}`
	if _, err := directory.Parse([]byte(ok)); err != nil {
		t.Errorf("a team and a clinician with ids of their own: %v", err)
	}
	if _, err := directory.Load("/nonexistent/dir.json"); err == nil || !strings.Contains(err.Error(), "read directory") {
		t.Errorf("Load(missing) = %v", err)
	}
}
