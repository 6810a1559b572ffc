package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// DischargeResidentCmd records that a resident left the home alive.
type DischargeResidentCmd struct {
	DischargedAt time.Time // "dischargedAt": zero means Now
	Destination  string    // "destination": hospital, care-home, own-home, hospice or other
	Note         string    // "note": required when destination is other
	Now          time.Time
}

// DischargeResident ends a stay; the residency can be readmitted later. The
// event says whether the assessment or care plan was still outstanding.
// Recording the same discharge again (same destination, same time or none
// given) records nothing.
func DischargeResident(cmd DischargeResidentCmd) func(s ResidencyState, version int64) ([]events.Data, error) {
	return func(s ResidencyState, version int64) ([]events.Data, error) {
		dest, err := carehomes.ParseDestination(cmd.Destination)
		if err != nil {
			return nil, domain.Invalid("destination", err.Error())
		}
		note, err := text("note", cmd.Note, maxShortText, dest == carehomes.DestinationOther)
		if err != nil {
			return nil, err
		}
		at, err := occurredAt("dischargedAt", cmd.DischargedAt, cmd.Now)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		if s.Status == ResidencyStatusDischarged && s.Destination == dest &&
			(cmd.DischargedAt.IsZero() || s.DischargedAt.Equal(at)) {
			return nil, nil
		}
		if !s.Status.InHome() {
			return nil, refuseResidency(s, "discharged")
		}
		if at.Before(s.AdmittedAt) {
			return nil, domain.Invalid("dischargedAt", "is before the resident was admitted")
		}
		return one(carehomes.ResidentDischarged{
			Patient: s.Patient, CareHomeID: s.CareHomeID, Stay: s.Stay,
			DischargedAt: at, Destination: dest, Note: note,
			AssessmentOutstanding: s.Status == ResidencyStatusAdmitted,
			CarePlanOutstanding:   s.Status != ResidencyStatusCarePlanned,
		})
	}
}

// RecordDeathCmd records that a resident died while living in the home.
type RecordDeathCmd struct {
	DiedAt time.Time // "diedAt": zero means Now
	Now    time.Time
}

// RecordDeath ends the residency for good. A resident discharged from the
// home is no longer this residency's to record. Recording the death again
// (same time, or none given) records nothing.
func RecordDeath(cmd RecordDeathCmd) func(s ResidencyState, version int64) ([]events.Data, error) {
	return func(s ResidencyState, version int64) ([]events.Data, error) {
		at, err := occurredAt("diedAt", cmd.DiedAt, cmd.Now)
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		if s.Status == ResidencyStatusDied && (cmd.DiedAt.IsZero() || s.DiedAt.Equal(at)) {
			return nil, nil
		}
		if !s.Status.InHome() {
			return nil, refuseResidency(s, "recorded as died")
		}
		if at.Before(s.AdmittedAt) {
			return nil, domain.Invalid("diedAt", "is before the resident was admitted")
		}
		return one(carehomes.ResidentDied{
			Patient: s.Patient, CareHomeID: s.CareHomeID, Stay: s.Stay, DiedAt: at,
			AssessmentOutstanding: s.Status == ResidencyStatusAdmitted,
			CarePlanOutstanding:   s.Status != ResidencyStatusCarePlanned,
		})
	}
}
