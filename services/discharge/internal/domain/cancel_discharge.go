package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// CancelDischargeCmd retracts the standing discharge (HL7 ADT A13).
type CancelDischargeCmd struct {
	Reason discharge.CancelReason
	Now    time.Time
}

// CancelDischarge decides CancelDischargeCmd. Allowed while discharged or
// closed: the hospital's record of whether the patient left is the
// authority, and a cancelled discharge still shown is a clinical hazard, so
// nothing that happened since (summary, follow-up, closure) stands in its
// way; it is all retracted with the discharge and kept as history. The stay
// returns to discharge-planned when it has a plan, else to admitted.
//
// A second cancellation (the feed repeating its A13) records nothing; a
// stay that was never discharged refuses it.
func CancelDischarge(cmd CancelDischargeCmd) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if !cmd.Reason.Valid() {
			return nil, domain.Invalid("reason", "must be entered-in-error, clinically-unfit, transport-unavailable, care-unavailable, patient-declined or other")
		}
		d := s.Discharge
		if d == nil {
			if len(s.RetractedDischarges) > 0 {
				return nil, nil
			}
			return nil, refuse(s, "discharge-cancelled: it has not been discharged")
		}
		e := discharge.DischargeCancelled{Reason: cmd.Reason, CancelledAt: cmd.Now.UTC(), DischargedAt: d.DischargedAt}
		if d.FollowUp != nil {
			e.FollowUpTeamID = d.FollowUp.TeamID
		}
		if d.Medicines != nil {
			e.MedicinesPharmacy = d.Medicines.Pharmacy
		}
		if d.Readmission != nil {
			e.ReadmissionStayID = d.Readmission.NewStayID
		}
		return []events.Data{e}, nil
	}
}
