package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func TestRecordDidNotAttend(t *testing.T) {
	cmd := mr.RecordDidNotAttendCmd{AppointmentAt: tAppt, Now: tDNA}
	aggregatetest.Then(t, reviewType, history(mr.StatusBooked), mr.RecordDidNotAttend(cmd), notAttended())
}

func TestRecordDidNotAttendCountsMissedAppointments(t *testing.T) {
	given := then(history(mr.StatusDidNotAttend), medreviews.ReviewRebooked{AppointmentAt: tFuture, PreviousAppointmentAt: tAppt,
		Mode: medreviews.ModeCareHome, ClinicianID: pharmacist, ClinicianRole: medreviews.RoleClinicalPharmacist,
		CareHome: careHome, AfterDidNotAttend: true, RebookedAt: now})
	later := tFuture.Add(time.Hour)
	aggregatetest.Then(t, reviewType, given, mr.RecordDidNotAttend(mr.RecordDidNotAttendCmd{AppointmentAt: tFuture, Now: later}),
		medreviews.AppointmentNotAttended{AppointmentAt: tFuture, ClinicianID: pharmacist, Count: 2, RecordedAt: later})
}

func TestRecordDidNotAttendTwiceRecordsNothing(t *testing.T) {
	cmd := mr.RecordDidNotAttendCmd{AppointmentAt: tAppt, Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusDidNotAttend), mr.RecordDidNotAttend(cmd))
}

func TestRecordDidNotAttendRefused(t *testing.T) {
	for _, s := range except(mr.StatusBooked) {
		t.Run(string(s), func(t *testing.T) {
			// Another appointment than the one missed, so did-not-attend refuses too.
			cmd := mr.RecordDidNotAttendCmd{AppointmentAt: tAppt.Add(-24 * time.Hour), Now: now}
			aggregatetest.Refused(t, reviewType, history(s), mr.RecordDidNotAttend(cmd), string(s))
		})
	}
}

func TestRecordDidNotAttendNotFound(t *testing.T) {
	cmd := mr.RecordDidNotAttendCmd{AppointmentAt: tAppt, Now: now}
	aggregatetest.Fails(t, reviewType, nil, mr.RecordDidNotAttend(cmd), domain.ErrNotFound)
}

func TestRecordDidNotAttendInvalid(t *testing.T) {
	cases := map[string]mr.RecordDidNotAttendCmd{
		"no appointment":            {Now: now},
		"not the booked one":        {AppointmentAt: tAppt.Add(time.Hour), Now: now},
		"before the appointment is": {AppointmentAt: tAppt, Now: tAppt.Add(-time.Minute)},
	}
	for name, cmd := range cases {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Invalid(t, reviewType, history(mr.StatusBooked), mr.RecordDidNotAttend(cmd), "appointmentAt")
		})
	}
}
