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

func dischargeP1Cmd() dom.DischargeCmd {
	return dom.DischargeCmd{DischargedAt: dischargedAt, Method: discharge.DischargeHospitalTransport,
		Destination: discharge.DestinationUsualResidence, Pathway: discharge.PathwayP1,
		Needs: []discharge.FollowUpNeed{discharge.NeedReablement}, Now: dischargedAt.Add(time.Minute)}
}

func TestDischargePatient(t *testing.T) {
	for name, h := range in(t, "planned", "cancelled, back to plan") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.DischargePatient(dischargeP1Cmd(), rules), dischargedP1())
		})
	}
}

func TestDischargeWithoutAPlan(t *testing.T) {
	cmd := dom.DischargeCmd{DischargedAt: dischargedAt, Method: discharge.DischargeOwnTransport,
		Destination: discharge.DestinationUsualResidence, Pathway: discharge.PathwayP0, Now: dischargedAt}
	for name, h := range in(t, "admitted", "cancelled, back on ward") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.DischargePatient(cmd, rules), dischargedP0())
		})
	}
}

func TestDischargeNormalisesNeedsAndTimes(t *testing.T) {
	cmd := dischargeP1Cmd()
	cmd.DischargedAt = dischargedAt.In(time.FixedZone("+01:00", 3600))
	cmd.Needs = []discharge.FollowUpNeed{discharge.NeedMedicationSupport, discharge.NeedReablement, discharge.NeedMedicationSupport}
	want := dischargedP1()
	want.Needs = []discharge.FollowUpNeed{discharge.NeedReablement, discharge.NeedMedicationSupport}
	aggregatetest.Then(t, stay, histories()["planned"], dom.DischargePatient(cmd, rules), want)
}

func TestDischargeDeadlinesFollowThePathway(t *testing.T) {
	base := discharge.PatientDischarged{DischargedAt: dischargedAt, HospitalSite: site, Ward: ward, Practice: practice,
		SummaryDueBy: dischargedAt.Add(24 * time.Hour)}
	cases := map[string]struct {
		cmd   func(c *dom.DischargeCmd)
		event func(e *discharge.PatientDischarged)
	}{
		"P0 with needs: the needs deadline": {
			func(c *dom.DischargeCmd) {
				c.Pathway, c.Method, c.Needs = discharge.PathwayP0, discharge.DischargeOwnTransport, []discharge.FollowUpNeed{discharge.NeedEquipment}
			},
			func(e *discharge.PatientDischarged) {
				e.Pathway, e.Method, e.Destination = discharge.PathwayP0, discharge.DischargeOwnTransport, discharge.DestinationUsualResidence
				e.Needs, e.FollowUpDueBy = []discharge.FollowUpNeed{discharge.NeedEquipment}, dischargedAt.Add(72*time.Hour)
			},
		},
		"P2 to a community bed: 48h": {
			func(c *dom.DischargeCmd) {
				c.Pathway, c.Destination, c.Method, c.Needs = discharge.PathwayP2, discharge.DestinationCommunityBed, discharge.DischargeAmbulance, nil
			},
			func(e *discharge.PatientDischarged) {
				e.Pathway, e.Destination, e.Method = discharge.PathwayP2, discharge.DestinationCommunityBed, discharge.DischargeAmbulance
				e.FollowUpDueBy = dischargedAt.Add(48 * time.Hour)
			},
		},
		"P3 to a care home: 72h": {
			func(c *dom.DischargeCmd) {
				c.Pathway, c.Destination, c.CareHomeID = discharge.PathwayP3, discharge.DestinationCareHome, "home-willow-court"
				c.Method, c.Needs = discharge.DischargeAmbulance, []discharge.FollowUpNeed{discharge.NeedMedicationSupport}
			},
			func(e *discharge.PatientDischarged) {
				e.Pathway, e.Destination, e.CareHomeID = discharge.PathwayP3, discharge.DestinationCareHome, "home-willow-court"
				e.Method, e.Needs = discharge.DischargeAmbulance, []discharge.FollowUpNeed{discharge.NeedMedicationSupport}
				e.FollowUpDueBy = dischargedAt.Add(72 * time.Hour)
			},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := dischargeP1Cmd()
			c.cmd(&cmd)
			want := base
			c.event(&want)
			aggregatetest.Then(t, stay, histories()["planned"], dom.DischargePatient(cmd, rules), want)
		})
	}
}

func TestDischargeDeadlinesAreConfigurable(t *testing.T) {
	local := dom.DefaultRules()
	local.SummaryDueWithin = 12 * time.Hour
	local.FollowUpWithin[discharge.PathwayP1] = 48 * time.Hour
	want := dischargedP1()
	want.SummaryDueBy, want.FollowUpDueBy = dischargedAt.Add(12*time.Hour), dischargedAt.Add(48*time.Hour)
	aggregatetest.Then(t, stay, histories()["planned"], dom.DischargePatient(dischargeP1Cmd(), local), want)
}

func TestDischargeTheSameDischargeAgainRecordsNothing(t *testing.T) {
	// A resent A03. The needs may come in another order.
	cmd := dischargeP1Cmd()
	cmd.Needs = []discharge.FollowUpNeed{discharge.NeedReablement, discharge.NeedReablement}
	for name, h := range in(t, "discharged", "follow-up assigned", "closed", "re-discharged after undo") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.DischargePatient(cmd, rules))
		})
	}
}

func TestDischargeTransitions(t *testing.T) {
	// Another discharge (P2 to a community bed) is refused wherever one
	// stands.
	cmd := dischargeP1Cmd()
	cmd.Pathway, cmd.Destination = discharge.PathwayP2, discharge.DestinationCommunityBed
	checkTransitions(t, dom.DischargePatient(cmd, rules), dischargedStates...)
}

func TestDischargeInvalid(t *testing.T) {
	cases := map[string]struct {
		field  string
		mutate func(c *dom.DischargeCmd)
	}{
		"no time":                      {"dischargedAt", func(c *dom.DischargeCmd) { c.DischargedAt = time.Time{} }},
		"before admission":             {"dischargedAt", func(c *dom.DischargeCmd) { c.DischargedAt = admittedAt.Add(-time.Minute) }},
		"in the future":                {"dischargedAt", func(c *dom.DischargeCmd) { c.Now = dischargedAt.Add(-dom.MaxClockSkew - time.Second) }},
		"unknown method":               {"method", func(c *dom.DischargeCmd) { c.Method = "taxi" }},
		"unknown destination":          {"destination", func(c *dom.DischargeCmd) { c.Destination = "home" }},
		"care home without id":         {"careHomeId", func(c *dom.DischargeCmd) { c.Destination = discharge.DestinationCareHome }},
		"care home id not a directory": {"careHomeId", func(c *dom.DischargeCmd) { c.Destination, c.CareHomeID = discharge.DestinationCareHome, "Willow Court" }},
		"care home id for home":        {"careHomeId", func(c *dom.DischargeCmd) { c.CareHomeID = "home-willow-court" }},
		"no pathway":                   {"pathway", func(c *dom.DischargeCmd) { c.Pathway = "" }},
		"P2 to usual residence":        {"destination", func(c *dom.DischargeCmd) { c.Pathway = discharge.PathwayP2 }},
		"P3 to usual residence":        {"destination", func(c *dom.DischargeCmd) { c.Pathway = discharge.PathwayP3 }},
		"P1 to a community bed":        {"destination", func(c *dom.DischargeCmd) { c.Destination = discharge.DestinationCommunityBed }},
		"unknown need":                 {"needs", func(c *dom.DischargeCmd) { c.Needs = []discharge.FollowUpNeed{"cake"} }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := dischargeP1Cmd()
			c.mutate(&cmd)
			aggregatetest.Invalid(t, stay, histories()["planned"], dom.DischargePatient(cmd, rules), c.field)
		})
	}
}

func TestDischargeNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, []events.Data(nil), dom.DischargePatient(dischargeP1Cmd(), rules), domain.ErrNotFound)
}
