package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func bookCmd() mr.BookCmd {
	return mr.BookCmd{AppointmentAt: tAppt, Mode: medreviews.ModeCareHome, ClinicianID: pharmacist,
		ClinicianRole: medreviews.RoleClinicalPharmacist, Now: tBooked}
}

// bookLater is a booking made on the tests' usual clock (the 17th).
func bookLater() mr.BookCmd {
	return mr.BookCmd{AppointmentAt: tFuture, Mode: medreviews.ModeTelephone, ClinicianID: "pharm-ellen-moss",
		ClinicianRole: medreviews.RoleClinicalPharmacist, Now: now}
}

func TestBook(t *testing.T) {
	aggregatetest.Then(t, reviewType, history(mr.StatusInvited), mr.Book(rules, bookCmd()), booked())
}

func TestBookWithoutInvitation(t *testing.T) {
	aggregatetest.Then(t, reviewType, history(mr.StatusIdentified), mr.Book(rules, bookLater()),
		medreviews.ReviewBooked{AppointmentAt: tFuture, Mode: medreviews.ModeTelephone, ClinicianID: "pharm-ellen-moss",
			ClinicianRole: medreviews.RoleClinicalPharmacist, BookedAt: now})
}

func TestBookWithGP(t *testing.T) {
	cmd := bookLater()
	cmd.ClinicianID, cmd.ClinicianRole, cmd.Mode = gp, medreviews.RoleGP, medreviews.ModeHomeVisit
	cmd.AppointmentAt = time.Date(2026, 3, 24, 14, 30, 0, 0, time.FixedZone("BST", 3600)) // stored in UTC
	aggregatetest.Then(t, reviewType, history(mr.StatusInvited), mr.Book(rules, cmd),
		medreviews.ReviewBooked{AppointmentAt: time.Date(2026, 3, 24, 13, 30, 0, 0, time.UTC), Mode: medreviews.ModeHomeVisit,
			ClinicianID: gp, ClinicianRole: medreviews.RoleGP, BookedAt: now})
}

func TestBookSameAppointmentRecordsNothing(t *testing.T) {
	aggregatetest.Then(t, reviewType, history(mr.StatusBooked), mr.Book(rules, bookCmd()))
}

func TestBookRefused(t *testing.T) {
	for _, s := range except(mr.StatusIdentified, mr.StatusInvited) {
		t.Run(string(s), func(t *testing.T) {
			aggregatetest.Refused(t, reviewType, history(s), mr.Book(rules, bookLater()), string(s))
		})
	}
}

func TestBookNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.Book(rules, bookLater()), domain.ErrNotFound)
}

func TestBookInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		given []events.Data
		edit  func(*mr.BookCmd)
	}{
		"no time":               {"appointmentAt", history(mr.StatusInvited), func(c *mr.BookCmd) { c.AppointmentAt = time.Time{} }},
		"in the past":           {"appointmentAt", history(mr.StatusInvited), func(c *mr.BookCmd) { c.AppointmentAt = now.Add(-time.Minute) }},
		"now":                   {"appointmentAt", history(mr.StatusInvited), func(c *mr.BookCmd) { c.AppointmentAt = now }},
		"beyond the horizon":    {"appointmentAt", history(mr.StatusInvited), func(c *mr.BookCmd) { c.AppointmentAt = now.AddDate(0, 0, 181) }},
		"no mode":               {"mode", history(mr.StatusInvited), func(c *mr.BookCmd) { c.Mode = "" }},
		"unknown mode":          {"mode", history(mr.StatusInvited), func(c *mr.BookCmd) { c.Mode = "carrier-pigeon" }},
		"care home but at home": {"mode", []events.Data{identifiedAtHome()}, func(c *mr.BookCmd) { c.Mode = medreviews.ModeCareHome }},
		"no clinician":          {"clinicianId", history(mr.StatusInvited), func(c *mr.BookCmd) { c.ClinicianID = "" }},
		"malformed clinician":   {"clinicianId", history(mr.StatusInvited), func(c *mr.BookCmd) { c.ClinicianID = "Ravi Shah" }},
		"unknown clinician":     {"clinicianId", history(mr.StatusInvited), func(c *mr.BookCmd) { c.ClinicianRole = "" }},
		"a paramedic":           {"clinicianId", history(mr.StatusInvited), func(c *mr.BookCmd) { c.ClinicianID, c.ClinicianRole = "para-jess-patel", "paramedic" }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := bookLater()
			tc.edit(&cmd)
			aggregatetest.Invalid(t, reviewType, tc.given, mr.Book(rules, cmd), tc.field)
		})
	}
}

func rebookCmd() mr.RebookCmd {
	return mr.RebookCmd{AppointmentAt: tFuture, Mode: medreviews.ModeVideo, ClinicianID: "pharm-ellen-moss",
		ClinicianRole: medreviews.RoleClinicalPharmacist, Reason: "  Patient in hospital that week ", Now: now}
}

func TestRebook(t *testing.T) {
	aggregatetest.Then(t, reviewType, history(mr.StatusBooked), mr.Rebook(rules, rebookCmd()),
		medreviews.ReviewRebooked{AppointmentAt: tFuture, PreviousAppointmentAt: tAppt, Mode: medreviews.ModeVideo,
			ClinicianID: "pharm-ellen-moss", ClinicianRole: medreviews.RoleClinicalPharmacist,
			Reason: "Patient in hospital that week", RebookedAt: now})
}

func TestRebookAfterDidNotAttend(t *testing.T) {
	cmd := rebookCmd()
	cmd.Mode, cmd.Reason = medreviews.ModeCareHome, ""
	aggregatetest.Then(t, reviewType, history(mr.StatusDidNotAttend), mr.Rebook(rules, cmd),
		medreviews.ReviewRebooked{AppointmentAt: tFuture, PreviousAppointmentAt: tAppt, Mode: medreviews.ModeCareHome,
			ClinicianID: "pharm-ellen-moss", ClinicianRole: medreviews.RoleClinicalPharmacist, CareHome: careHome,
			AfterDidNotAttend: true, RebookedAt: now})
}

func TestRebookToTheBookedAppointmentRecordsNothing(t *testing.T) {
	cmd := rebookCmd()
	given := then(history(mr.StatusBooked), medreviews.ReviewRebooked{AppointmentAt: tFuture, PreviousAppointmentAt: tAppt,
		Mode: medreviews.ModeVideo, ClinicianID: "pharm-ellen-moss", ClinicianRole: medreviews.RoleClinicalPharmacist, RebookedAt: now})
	aggregatetest.Then(t, reviewType, given, mr.Rebook(rules, cmd))
}

func TestRebookRefused(t *testing.T) {
	for _, s := range except(mr.StatusBooked, mr.StatusDidNotAttend) {
		t.Run(string(s), func(t *testing.T) {
			aggregatetest.Refused(t, reviewType, history(s), mr.Rebook(rules, rebookCmd()), string(s))
		})
	}
}

func TestRebookNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.Rebook(rules, rebookCmd()), domain.ErrNotFound)
}

func TestRebookInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		edit  func(*mr.RebookCmd)
	}{
		"in the past":         {"appointmentAt", func(c *mr.RebookCmd) { c.AppointmentAt = tAppt }},
		"unknown mode":        {"mode", func(c *mr.RebookCmd) { c.Mode = "in-person" }},
		"a nurse":             {"clinicianId", func(c *mr.RebookCmd) { c.ClinicianID, c.ClinicianRole = "dn-maria-silva", "district-nurse" }},
		"control in reason":   {"reason", func(c *mr.RebookCmd) { c.Reason = "moved\x00" }},
		"reason on two lines": {"reason", func(c *mr.RebookCmd) { c.Reason = "moved\nagain" }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := rebookCmd()
			tc.edit(&cmd)
			aggregatetest.Invalid(t, reviewType, history(mr.StatusBooked), mr.Rebook(rules, cmd), tc.field)
		})
	}
}
