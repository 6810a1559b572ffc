package domain_test

import (
	"testing"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func identifyCmd() mr.IdentifyCandidateCmd {
	return mr.IdentifyCandidateCmd{
		Patient: patient, Practice: practice, PCN: pcn,
		Criteria: []medreviews.Cohort{medreviews.CohortCareHomeResident, medreviews.CohortPolypharmacy},
		CareHome: careHome, CareHomePCN: pcn,
		IdentifiedBy: gp, IdentifiedByRole: "gp", Now: tIdentified,
	}
}

func TestIdentifyCandidate(t *testing.T) {
	aggregatetest.Then(t, reviewType, nil, mr.IdentifyCandidate(identifyCmd()), identified())
}

func TestIdentifyCandidateWithoutCareHome(t *testing.T) {
	cmd := identifyCmd()
	cmd.Criteria, cmd.CareHome, cmd.CareHomePCN = []medreviews.Cohort{medreviews.CohortOpioids}, "", ""
	aggregatetest.Then(t, reviewType, nil, mr.IdentifyCandidate(cmd), identifiedAtHome())
}

func TestIdentifyCandidateByCareCoordinator(t *testing.T) {
	cmd := identifyCmd()
	cmd.IdentifiedBy, cmd.IdentifiedByRole = "cc-nia-brown", "care-coordinator"
	want := identified()
	want.IdentifiedBy, want.IdentifiedByRole = "cc-nia-brown", "care-coordinator"
	aggregatetest.Then(t, reviewType, nil, mr.IdentifyCandidate(cmd), want)
}

func TestIdentifyCandidateTwiceAlreadyExists(t *testing.T) {
	for _, s := range mr.Statuses() {
		t.Run(string(s), func(t *testing.T) {
			aggregatetest.Fails(t, reviewType, history(s), mr.IdentifyCandidate(identifyCmd()), domain.ErrAlreadyExists)
		})
	}
}

func TestIdentifyCandidateInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		edit  func(*mr.IdentifyCandidateCmd)
	}{
		"no patient":               {"patient", func(c *mr.IdentifyCandidateCmd) { c.Patient = "" }},
		"an NHS number":            {"patient", func(c *mr.IdentifyCandidateCmd) { c.Patient = "9434765919" }},
		"patient with spaces":      {"patient", func(c *mr.IdentifyCandidateCmd) { c.Patient = "pt 1" }},
		"no practice":              {"practice", func(c *mr.IdentifyCandidateCmd) { c.Practice = "" }},
		"practice in lower case":   {"practice", func(c *mr.IdentifyCandidateCmd) { c.Practice = "l84001" }},
		"practice without a PCN":   {"practice", func(c *mr.IdentifyCandidateCmd) { c.PCN = "" }},
		"no criteria":              {"criteria", func(c *mr.IdentifyCandidateCmd) { c.Criteria = nil }},
		"unknown cohort":           {"criteria[1]", func(c *mr.IdentifyCandidateCmd) { c.Criteria[1] = "statins" }},
		"cohort twice":             {"criteria[2]", func(c *mr.IdentifyCandidateCmd) { c.Criteria = append(c.Criteria, c.Criteria[0]) }},
		"resident without home":    {"careHome", func(c *mr.IdentifyCandidateCmd) { c.CareHome, c.CareHomePCN = "", "" }},
		"malformed care home":      {"careHome", func(c *mr.IdentifyCandidateCmd) { c.CareHome = "Willow Court" }},
		"unknown care home":        {"careHome", func(c *mr.IdentifyCandidateCmd) { c.CareHomePCN = "" }},
		"care home of another PCN": {"careHome", func(c *mr.IdentifyCandidateCmd) { c.CareHome, c.CareHomePCN = "home-oakfield", "U84002" }},
		"no identifier":            {"identifiedBy", func(c *mr.IdentifyCandidateCmd) { c.IdentifiedBy = "" }},
		"unknown identifier":       {"identifiedBy", func(c *mr.IdentifyCandidateCmd) { c.IdentifiedByRole = "" }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := identifyCmd()
			tc.edit(&cmd)
			aggregatetest.Invalid(t, reviewType, nil, mr.IdentifyCandidate(cmd), tc.field)
		})
	}
}
