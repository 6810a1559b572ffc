package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// RecordDidNotAttendCmd records that the patient missed the booked
// appointment.
type RecordDidNotAttendCmd struct {
	// AppointmentAt names the missed appointment; it must be the one booked,
	// so a screen showing an appointment since moved cannot mark the new one
	// missed.
	AppointmentAt time.Time
	Now           time.Time
}

// RecordDidNotAttend marks the booked appointment missed, once its time has
// come. The episode stays open: the patient may be re-invited or rebooked.
// Marking the same appointment missed again records nothing. Only a booked
// review can be marked not attended.
func RecordDidNotAttend(cmd RecordDidNotAttendCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if err := missing(version); err != nil {
			return nil, err
		}
		if cmd.AppointmentAt.IsZero() {
			return nil, domain.Invalid("appointmentAt", "is required")
		}
		at := cmd.AppointmentAt.UTC()
		switch s.Status {
		case StatusBooked:
		case StatusDidNotAttend:
			if s.Appointment != nil && s.Appointment.At.Equal(at) {
				return nil, nil
			}
			return nil, domain.Refuse(AggregateName, string(s.Status), "marked not attended")
		default:
			return nil, domain.Refuse(AggregateName, string(s.Status), "marked not attended")
		}
		if !s.Appointment.At.Equal(at) {
			return nil, domain.Invalid("appointmentAt", "is not the booked appointment ("+s.Appointment.At.Format(time.RFC3339)+")")
		}
		if cmd.Now.Before(at) {
			return nil, domain.Invalid("appointmentAt", "has not come yet")
		}
		return []events.Data{medreviews.AppointmentNotAttended{
			AppointmentAt: at,
			ClinicianID:   s.Appointment.ClinicianID,
			Count:         s.MissedAppointments + 1,
			RecordedAt:    cmd.Now.UTC(),
		}}, nil
	}
}
