package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// BookCmd books the review's appointment.
type BookCmd struct {
	AppointmentAt time.Time
	Mode          medreviews.Mode
	// ClinicianID is who will hold the review; ClinicianRole is the role
	// the API layer found for it in the directory ("" when unknown): a
	// clinical pharmacist or a GP.
	ClinicianID   string
	ClinicianRole medreviews.ClinicianRole
	Now           time.Time
}

// RebookCmd moves the review's appointment, or books a new one after the
// patient did not attend.
type RebookCmd struct {
	AppointmentAt time.Time
	Mode          medreviews.Mode
	ClinicianID   string
	ClinicianRole medreviews.ClinicianRole
	// Reason is why it was moved (optional).
	Reason string
	Now    time.Time
}

// appointment is what BookCmd and RebookCmd share.
type appointment struct {
	at   time.Time
	mode medreviews.Mode
	id   string
	role medreviews.ClinicianRole
}

// check validates an appointment: in the future, within the booking
// horizon, a known mode (care-home only for a patient with a care home),
// held by a clinical pharmacist or a GP.
func (a appointment) check(rules Rules, s ReviewState, now time.Time) (appointment, error) {
	if err := rules.Validate(); err != nil {
		return a, err
	}
	if a.at.IsZero() {
		return a, domain.Invalid("appointmentAt", "is required")
	}
	a.at = a.at.UTC()
	if !a.at.After(now) {
		return a, domain.Invalid("appointmentAt", "must be in the future")
	}
	if a.at.After(days(now, rules.MaxBookingAheadDays)) {
		return a, domain.Invalid("appointmentAt", "is further ahead than this PCN books reviews")
	}
	if !a.mode.Valid() {
		return a, domain.Invalid("mode", "must be face-to-face, telephone, video, home-visit or care-home")
	}
	if a.mode == medreviews.ModeCareHome && s.CareHome == "" {
		return a, domain.Invalid("mode", "is care-home but no care home was recorded for the patient")
	}
	if err := checkClinician("clinicianId", a.id, a.role); err != nil {
		return a, err
	}
	return a, nil
}

// same reports whether the review is already booked for a.
func (a appointment) same(s ReviewState) bool {
	b := s.Appointment
	return s.Status == StatusBooked && b != nil && b.At.Equal(a.at) && b.Mode == a.mode && b.ClinicianID == a.id
}

func careHomeOf(s ReviewState, mode medreviews.Mode) string {
	if mode == medreviews.ModeCareHome {
		return s.CareHome
	}
	return ""
}

// Book books the first appointment of a review that is identified or
// invited (after a missed appointment, use Rebook or Invite). Booking the
// same appointment again records nothing; a review already booked is moved
// with Rebook. A completed, declined, did-not-attend or closed review cannot
// be booked.
func Book(rules Rules, cmd BookCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if err := missing(version); err != nil {
			return nil, err
		}
		a, err := appointment{cmd.AppointmentAt, cmd.Mode, cmd.ClinicianID, cmd.ClinicianRole}.check(rules, s, cmd.Now)
		if err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusIdentified, StatusInvited:
		case StatusBooked:
			if a.same(s) {
				return nil, nil
			}
			return nil, domain.Refuse(AggregateName, string(s.Status), "booked")
		default:
			return nil, domain.Refuse(AggregateName, string(s.Status), "booked")
		}
		return []events.Data{medreviews.ReviewBooked{
			AppointmentAt: a.at,
			Mode:          a.mode,
			ClinicianID:   a.id,
			ClinicianRole: a.role,
			CareHome:      careHomeOf(s, a.mode),
			BookedAt:      cmd.Now.UTC(),
		}}, nil
	}
}

// Rebook moves a booked review's appointment, or books a new one for a
// review whose patient did not attend. Rebooking to the appointment already
// booked records nothing. An identified, invited, completed, declined or
// closed review cannot be rebooked.
func Rebook(rules Rules, cmd RebookCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if err := missing(version); err != nil {
			return nil, err
		}
		a, err := appointment{cmd.AppointmentAt, cmd.Mode, cmd.ClinicianID, cmd.ClinicianRole}.check(rules, s, cmd.Now)
		if err != nil {
			return nil, err
		}
		reason, err := optionalText("reason", cmd.Reason, maxReason, false)
		if err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusBooked:
			if a.same(s) {
				return nil, nil
			}
		case StatusDidNotAttend:
		default:
			return nil, domain.Refuse(AggregateName, string(s.Status), "rebooked")
		}
		var previous time.Time
		if s.Appointment != nil {
			previous = s.Appointment.At
		}
		return []events.Data{medreviews.ReviewRebooked{
			AppointmentAt:         a.at,
			PreviousAppointmentAt: previous,
			Mode:                  a.mode,
			ClinicianID:           a.id,
			ClinicianRole:         a.role,
			CareHome:              careHomeOf(s, a.mode),
			AfterDidNotAttend:     s.Status == StatusDidNotAttend,
			Reason:                reason,
			RebookedAt:            cmd.Now.UTC(),
		}}, nil
	}
}
