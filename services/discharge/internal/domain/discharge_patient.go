package domain

import (
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// DischargeCmd records the patient leaving hospital (HL7 ADT A03).
type DischargeCmd struct {
	DischargedAt time.Time
	Method       discharge.DischargeMethod
	Destination  discharge.Destination
	// CareHomeID is required when Destination is care-home (the API checks
	// the directory knows it) and must be empty otherwise.
	CareHomeID string
	Pathway    discharge.Pathway
	// Needs may repeat and come in any order; the event lists each once, in
	// the order of discharge.FollowUpNeeds.
	Needs []discharge.FollowUpNeed
	Now   time.Time
}

// DischargePatient decides DischargeCmd. Allowed while admitted (an
// unplanned discharge) or discharge-planned; once discharged or closed the
// same discharge again records nothing and any other is refused.
//
// The pathway may differ from the plan's: the discharge records what
// happened. It must agree with the destination: P2 and P3 are bed-based (not
// usual residence), and a community bed is P2 or P3.
func DischargePatient(cmd DischargeCmd, rules Rules) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if err := rules.check(); err != nil {
			return nil, err
		}
		needs, err := cmd.validate()
		if err != nil {
			return nil, err
		}
		if s.Status == StatusDischarged || s.Status == StatusClosed {
			if d := s.Discharge; d.DischargedAt.Equal(cmd.DischargedAt) && d.Method == cmd.Method &&
				d.Destination == cmd.Destination && d.CareHomeID == cmd.CareHomeID && d.Pathway == cmd.Pathway &&
				slices.Equal(d.Needs, needs) {
				return nil, nil
			}
			return nil, refuse(s, "discharged again")
		}
		if err := checkTime("dischargedAt", cmd.DischargedAt, cmd.Now, s.AdmittedAt, "the admission"); err != nil {
			return nil, err
		}
		at := cmd.DischargedAt.UTC()
		e := discharge.PatientDischarged{
			DischargedAt: at, Method: cmd.Method, Destination: cmd.Destination, CareHomeID: cmd.CareHomeID,
			Pathway: cmd.Pathway, Needs: needs, HospitalSite: s.HospitalSite, Ward: s.Ward, Practice: s.Practice,
			SummaryDueBy: at.Add(rules.SummaryDueWithin),
		}
		if within, ok := rules.FollowUpWithinFor(cmd.Pathway, needs); ok {
			e.FollowUpDueBy = at.Add(within)
		}
		return []events.Data{e}, nil
	}
}

// validate checks the fields and returns the needs in canonical form (nil
// when there are none).
func (cmd DischargeCmd) validate() ([]discharge.FollowUpNeed, error) {
	if cmd.DischargedAt.IsZero() {
		return nil, domain.Invalid("dischargedAt", "is required")
	}
	if !cmd.Method.Valid() {
		return nil, domain.Invalid("method", "must be own-transport, hospital-transport or ambulance")
	}
	if !cmd.Destination.Valid() {
		return nil, domain.Invalid("destination", "must be usual-residence, care-home, community-bed, hospice or other")
	}
	if cmd.Destination == discharge.DestinationCareHome {
		if cmd.CareHomeID == "" {
			return nil, domain.Invalid("careHomeId", "is required when the destination is care-home")
		}
		if err := checkDirectoryID("careHomeId", cmd.CareHomeID); err != nil {
			return nil, err
		}
	} else if cmd.CareHomeID != "" {
		return nil, domain.Invalid("careHomeId", "must be empty unless the destination is care-home")
	}
	if !cmd.Pathway.Valid() {
		return nil, domain.Invalid("pathway", "must be P0, P1, P2 or P3")
	}
	if cmd.Pathway.BedBased() && cmd.Destination == discharge.DestinationUsualResidence {
		return nil, domain.Invalid("destination", "cannot be usual-residence on a bed-based pathway (P2, P3)")
	}
	if !cmd.Pathway.BedBased() && cmd.Destination == discharge.DestinationCommunityBed {
		return nil, domain.Invalid("destination", "cannot be community-bed on a home pathway (P0, P1)")
	}
	for _, n := range cmd.Needs {
		if !n.Valid() {
			return nil, domain.Invalid("needs", "must each be reablement, equipment, district-nursing, social-care or medication-support")
		}
	}
	var needs []discharge.FollowUpNeed
	for _, n := range discharge.FollowUpNeeds() {
		if slices.Contains(cmd.Needs, n) {
			needs = append(needs, n)
		}
	}
	return needs, nil
}
