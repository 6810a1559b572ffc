package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func admitCmd() dom.AdmitCmd {
	return dom.AdmitCmd{StayID: stayID, Patient: patient, HospitalSite: site, Ward: ward, AdmittedAt: admittedAt,
		Method: discharge.AdmissionEmergency, Practice: practice, PCN: pcn, Now: admittedAt.Add(time.Minute)}
}

func TestAdmit(t *testing.T) {
	aggregatetest.Then(t, stay, nil, dom.Admit(admitCmd()), admitted())
}

func TestAdmitStoresTimesInUTC(t *testing.T) {
	cmd := admitCmd()
	cmd.AdmittedAt = admittedAt.In(time.FixedZone("BST", 3600))
	aggregatetest.Then(t, stay, nil, dom.Admit(cmd), admitted())
}

func TestAdmitAcceptsAHospitalClockALittleFast(t *testing.T) {
	cmd := admitCmd()
	cmd.Now = admittedAt.Add(-dom.MaxClockSkew)
	aggregatetest.Then(t, stay, nil, dom.Admit(cmd), admitted())
}

func TestAdmitAnExistingStayFails(t *testing.T) {
	for name, h := range histories() {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Fails(t, stay, h, dom.Admit(admitCmd()), domain.ErrAlreadyExists)
		})
	}
}

func TestAdmitInvalid(t *testing.T) {
	cases := map[string]struct {
		field  string
		mutate func(c *dom.AdmitCmd)
	}{
		"no stay id":             {"stayId", func(c *dom.AdmitCmd) { c.StayID = "" }},
		"stay id with a space":   {"stayId", func(c *dom.AdmitCmd) { c.StayID = "stay 1" }},
		"no patient":             {"patient", func(c *dom.AdmitCmd) { c.Patient = "" }},
		"an NHS number, spaced":  {"patient", func(c *dom.AdmitCmd) { c.Patient = "943 476 5919" }},
		"patient too long":       {"patient", func(c *dom.AdmitCmd) { c.Patient = string(make([]byte, 65)) }},
		"site in lower case":     {"hospitalSite", func(c *dom.AdmitCmd) { c.HospitalSite = "rte01" }},
		"no site":                {"hospitalSite", func(c *dom.AdmitCmd) { c.HospitalSite = "" }},
		"no ward":                {"ward", func(c *dom.AdmitCmd) { c.Ward = "  " }},
		"ward with control char": {"ward", func(c *dom.AdmitCmd) { c.Ward = "Ward\n7B" }},
		"ward too long":          {"ward", func(c *dom.AdmitCmd) { c.Ward = string(make([]rune, 65)) }},
		"no admission time":      {"admittedAt", func(c *dom.AdmitCmd) { c.AdmittedAt = time.Time{} }},
		"admitted in the future": {"admittedAt", func(c *dom.AdmitCmd) { c.Now = admittedAt.Add(-dom.MaxClockSkew - time.Second) }},
		"unknown method":         {"admissionMethod", func(c *dom.AdmitCmd) { c.Method = "urgent" }},
		"no practice":            {"practice", func(c *dom.AdmitCmd) { c.Practice = "" }},
		"practice not ODS":       {"practice", func(c *dom.AdmitCmd) { c.Practice = "L84-001" }},
		"no pcn":                 {"pcn", func(c *dom.AdmitCmd) { c.PCN = "" }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := admitCmd()
			c.mutate(&cmd)
			aggregatetest.Invalid(t, stay, []events.Data(nil), dom.Admit(cmd), c.field)
		})
	}
}
