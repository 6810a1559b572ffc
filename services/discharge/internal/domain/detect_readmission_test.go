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

// readmitOn returns the command for an emergency admission at.
func readmitOn(at time.Time) dom.DetectReadmissionCmd {
	return dom.DetectReadmissionCmd{NewStayID: "stay-0002", AdmittedAt: at, Method: discharge.AdmissionEmergency, Now: at.Add(time.Minute)}
}

func readmission(at time.Time, days int) discharge.ReadmissionDetected {
	return discharge.ReadmissionDetected{NewStayID: "stay-0002", ReadmittedAt: at.UTC(), AdmissionMethod: discharge.AdmissionEmergency,
		DaysSinceDischarge: days, DischargedAt: dischargedAt, Pathway: discharge.PathwayP1}
}

// dischargedAt is 14:00 on 24 November (GMT): day 29 is 23 December.
func TestReadmissionWindowBoundaries(t *testing.T) {
	h := histories()["discharged"]
	day29Last := time.Date(2026, 12, 23, 23, 59, 59, 0, time.UTC)
	day30First := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	sameDay := dischargedAt.Add(3 * time.Hour)
	t.Run("day 0", func(t *testing.T) {
		aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(sameDay), rules), readmission(sameDay, 0))
	})
	t.Run("the moment of discharge", func(t *testing.T) {
		aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(dischargedAt), rules), readmission(dischargedAt, 0))
	})
	t.Run("day 29 is in, to its last second", func(t *testing.T) {
		aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(day29Last), rules), readmission(day29Last, 29))
	})
	t.Run("day 30 is out, from its first second", func(t *testing.T) {
		aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(day30First), rules))
	})
	t.Run("day 30 is out even less than 30x24h later", func(t *testing.T) {
		// 29 days and 10 hours after a 14:00 discharge is day 30.
		at := dischargedAt.Add(29*24*time.Hour + 10*time.Hour)
		aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(at), rules))
	})
}

// Days are London's calendar days: in summer a UTC date is wrong for an
// hour each night.
func TestReadmissionDaysCountInLondon(t *testing.T) {
	// Discharged at 23:30 BST on 1 June (22:30 UTC).
	summer := time.Date(2026, 6, 1, 22, 30, 0, 0, time.UTC)
	a := admitted()
	a.AdmittedAt = summer.Add(-72 * time.Hour)
	d := dischargedP1()
	d.DischargedAt, d.SummaryDueBy, d.FollowUpDueBy = summer, summer.Add(24*time.Hour), summer.Add(24*time.Hour)
	h := []events.Data{a, d}
	want := func(at time.Time, days int) discharge.ReadmissionDetected {
		e := readmission(at, days)
		e.DischargedAt = summer
		return e
	}
	t.Run("23:00 BST on 30 June is day 29", func(t *testing.T) {
		at := time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC)
		aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(at), rules), want(at, 29))
	})
	t.Run("00:30 BST on 1 July is day 30, though still 30 June in UTC", func(t *testing.T) {
		at := time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)
		aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(at), rules))
	})
	t.Run("00:15 BST on 2 June is day 1, though still 1 June in UTC", func(t *testing.T) {
		at := time.Date(2026, 6, 1, 23, 15, 0, 0, time.UTC)
		aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(at), rules), want(at, 1))
	})
}

func TestReadmissionWindowIsConfigurable(t *testing.T) {
	local := dom.DefaultRules()
	local.ReadmissionWindowDays = 6
	h := histories()["discharged"]
	day6 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(day6), local), readmission(day6, 6))
	aggregatetest.Then(t, stay, h, dom.DetectReadmission(readmitOn(day6.Add(24*time.Hour)), local))
}

func TestReadmissionFromAClosedStay(t *testing.T) {
	at := dischargedAt.Add(10 * 24 * time.Hour)
	aggregatetest.Then(t, stay, histories()["closed"], dom.DetectReadmission(readmitOn(at), rules), readmission(at, 10))
	p0 := readmission(at, 10)
	p0.Pathway = discharge.PathwayP0
	aggregatetest.Then(t, stay, histories()["closed, no follow-up"], dom.DetectReadmission(readmitOn(at), rules), p0)
}

func TestReadmissionIsOnlyAnEmergencyAdmission(t *testing.T) {
	for _, m := range []discharge.AdmissionMethod{discharge.AdmissionElective, discharge.AdmissionTransfer} {
		cmd := readmitOn(dischargedAt.Add(48 * time.Hour))
		cmd.Method = m
		aggregatetest.Then(t, stay, histories()["discharged"], dom.DetectReadmission(cmd, rules))
	}
}

// A cancelled discharge is not a discharge: there is nothing to be
// readmitted from. Neither is a stay never discharged.
func TestNoReadmissionWithoutAStandingDischarge(t *testing.T) {
	cmd := readmitOn(dischargedAt.Add(48 * time.Hour))
	for _, name := range notDischarged {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, histories()[name], dom.DetectReadmission(cmd, rules))
		})
	}
}

func TestReadmissionIsRecordedOnce(t *testing.T) {
	first := readmission(dischargedAt.Add(48*time.Hour), 2)
	cmd := readmitOn(dischargedAt.Add(96 * time.Hour))
	cmd.NewStayID = "stay-0003"
	aggregatetest.Then(t, stay, then(histories()["discharged"], first), dom.DetectReadmission(cmd, rules))
	aggregatetest.Then(t, stay, then(histories()["discharged"], first), dom.DetectReadmission(readmitOn(first.ReadmittedAt), rules))
}

func TestDetectReadmissionIsNeverRefused(t *testing.T) {
	checkTransitions(t, dom.DetectReadmission(readmitOn(dischargedAt.Add(48*time.Hour)), rules))
}

func TestDetectReadmissionInvalid(t *testing.T) {
	cases := map[string]struct {
		field  string
		mutate func(c *dom.DetectReadmissionCmd)
	}{
		"no new stay":        {"newStayId", func(c *dom.DetectReadmissionCmd) { c.NewStayID = "" }},
		"this stay":          {"newStayId", func(c *dom.DetectReadmissionCmd) { c.NewStayID = stayID }},
		"bad stay id":        {"newStayId", func(c *dom.DetectReadmissionCmd) { c.NewStayID = "stay/2" }},
		"unknown method":     {"admissionMethod", func(c *dom.DetectReadmissionCmd) { c.Method = "walk-in" }},
		"no admission time":  {"admittedAt", func(c *dom.DetectReadmissionCmd) { c.AdmittedAt = time.Time{} }},
		"in the future":      {"admittedAt", func(c *dom.DetectReadmissionCmd) { c.Now = c.AdmittedAt.Add(-time.Hour) }},
		"before discharging": {"admittedAt", func(c *dom.DetectReadmissionCmd) { c.AdmittedAt = dischargedAt.Add(-time.Minute) }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := readmitOn(dischargedAt.Add(48 * time.Hour))
			c.mutate(&cmd)
			aggregatetest.Invalid(t, stay, histories()["discharged"], dom.DetectReadmission(cmd, rules), c.field)
		})
	}
}

func TestDetectReadmissionNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.DetectReadmission(readmitOn(dischargedAt), rules), domain.ErrNotFound)
}
