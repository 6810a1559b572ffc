package discharge

import (
	"fmt"
	"slices"
	"strings"
)

// AdmissionMethod is how the patient came to be admitted (HL7 PV1-4 in
// broad classes).
type AdmissionMethod string

// Admission methods.
const (
	AdmissionEmergency AdmissionMethod = "emergency"
	AdmissionElective  AdmissionMethod = "elective"
	AdmissionTransfer  AdmissionMethod = "transfer" // from another hospital
)

// AdmissionMethods returns every admission method.
func AdmissionMethods() []AdmissionMethod {
	return []AdmissionMethod{AdmissionEmergency, AdmissionElective, AdmissionTransfer}
}

// Valid reports whether m is a known admission method.
func (m AdmissionMethod) Valid() bool { return slices.Contains(AdmissionMethods(), m) }

// ParseAdmissionMethod returns the admission method named s.
func ParseAdmissionMethod(s string) (AdmissionMethod, error) {
	return parse("admission method", s, AdmissionMethods())
}

// Pathway is a Discharge to Assess pathway.
type Pathway string

// Discharge to Assess pathways (national).
const (
	PathwayP0 Pathway = "P0" // home, no new support
	PathwayP1 Pathway = "P1" // home with new support
	PathwayP2 Pathway = "P2" // community bed-based rehabilitation
	PathwayP3 Pathway = "P3" // 24-hour bedded care, e.g. a care home for the first time
)

// Pathways returns every pathway.
func Pathways() []Pathway { return []Pathway{PathwayP0, PathwayP1, PathwayP2, PathwayP3} }

// Valid reports whether p is a known pathway.
func (p Pathway) Valid() bool { return slices.Contains(Pathways(), p) }

// BedBased reports whether the pathway discharges to a bed rather than home
// (P2 and P3).
func (p Pathway) BedBased() bool { return p == PathwayP2 || p == PathwayP3 }

// ParsePathway returns the pathway named s ("P0".."P3").
func ParsePathway(s string) (Pathway, error) { return parse("pathway", s, Pathways()) }

// PathwayChangeReason says why a patient moved between pathways.
type PathwayChangeReason string

// Reasons for a pathway change.
const (
	PathwayNeedsIncreased PathwayChangeReason = "needs-increased"
	PathwayNeedsReduced   PathwayChangeReason = "needs-reduced"
	PathwayCapacity       PathwayChangeReason = "capacity" // the bed or package of the first pathway is not available
	PathwayPatientChoice  PathwayChangeReason = "patient-choice"
	PathwayOtherReason    PathwayChangeReason = "other"
)

// PathwayChangeReasons returns every pathway change reason.
func PathwayChangeReasons() []PathwayChangeReason {
	return []PathwayChangeReason{PathwayNeedsIncreased, PathwayNeedsReduced, PathwayCapacity, PathwayPatientChoice, PathwayOtherReason}
}

// Valid reports whether r is a known pathway change reason.
func (r PathwayChangeReason) Valid() bool { return slices.Contains(PathwayChangeReasons(), r) }

// ParsePathwayChangeReason returns the reason named s.
func ParsePathwayChangeReason(s string) (PathwayChangeReason, error) {
	return parse("pathway change reason", s, PathwayChangeReasons())
}

// DischargeMethod is how the patient left hospital.
type DischargeMethod string

// Discharge methods.
const (
	DischargeOwnTransport      DischargeMethod = "own-transport"
	DischargeHospitalTransport DischargeMethod = "hospital-transport"
	DischargeAmbulance         DischargeMethod = "ambulance"
)

// DischargeMethods returns every discharge method.
func DischargeMethods() []DischargeMethod {
	return []DischargeMethod{DischargeOwnTransport, DischargeHospitalTransport, DischargeAmbulance}
}

// Valid reports whether m is a known discharge method.
func (m DischargeMethod) Valid() bool { return slices.Contains(DischargeMethods(), m) }

// ParseDischargeMethod returns the discharge method named s.
func ParseDischargeMethod(s string) (DischargeMethod, error) {
	return parse("discharge method", s, DischargeMethods())
}

// Destination is where the patient was discharged to.
type Destination string

// Discharge destinations.
const (
	DestinationUsualResidence Destination = "usual-residence"
	DestinationCareHome       Destination = "care-home" // with the care home's directory id
	DestinationCommunityBed   Destination = "community-bed"
	DestinationHospice        Destination = "hospice"
	DestinationOther          Destination = "other"
)

// Destinations returns every destination.
func Destinations() []Destination {
	return []Destination{DestinationUsualResidence, DestinationCareHome, DestinationCommunityBed, DestinationHospice, DestinationOther}
}

// Valid reports whether d is a known destination.
func (d Destination) Valid() bool { return slices.Contains(Destinations(), d) }

// ParseDestination returns the destination named s.
func ParseDestination(s string) (Destination, error) { return parse("destination", s, Destinations()) }

// FollowUpNeed is a kind of support the patient needs after discharge.
type FollowUpNeed string

// Follow-up needs.
const (
	NeedReablement        FollowUpNeed = "reablement"
	NeedEquipment         FollowUpNeed = "equipment"
	NeedDistrictNursing   FollowUpNeed = "district-nursing"
	NeedSocialCare        FollowUpNeed = "social-care"
	NeedMedicationSupport FollowUpNeed = "medication-support"
)

// FollowUpNeeds returns every follow-up need, in their canonical order.
func FollowUpNeeds() []FollowUpNeed {
	return []FollowUpNeed{NeedReablement, NeedEquipment, NeedDistrictNursing, NeedSocialCare, NeedMedicationSupport}
}

// Valid reports whether n is a known follow-up need.
func (n FollowUpNeed) Valid() bool { return slices.Contains(FollowUpNeeds(), n) }

// ParseFollowUpNeed returns the follow-up need named s.
func ParseFollowUpNeed(s string) (FollowUpNeed, error) {
	return parse("follow-up need", s, FollowUpNeeds())
}

// CancelReason says why a discharge was cancelled (HL7 ADT A13).
type CancelReason string

// Reasons for cancelling a discharge.
const (
	CancelEnteredInError       CancelReason = "entered-in-error"
	CancelClinicallyUnfit      CancelReason = "clinically-unfit" // deteriorated before leaving
	CancelTransportUnavailable CancelReason = "transport-unavailable"
	CancelCareUnavailable      CancelReason = "care-unavailable" // package of care or placement fell through
	CancelPatientDeclined      CancelReason = "patient-declined"
	CancelOther                CancelReason = "other"
)

// CancelReasons returns every cancel reason.
func CancelReasons() []CancelReason {
	return []CancelReason{CancelEnteredInError, CancelClinicallyUnfit, CancelTransportUnavailable, CancelCareUnavailable, CancelPatientDeclined, CancelOther}
}

// Valid reports whether r is a known cancel reason.
func (r CancelReason) Valid() bool { return slices.Contains(CancelReasons(), r) }

// ParseCancelReason returns the cancel reason named s.
func ParseCancelReason(s string) (CancelReason, error) {
	return parse("cancel reason", s, CancelReasons())
}

// FollowUpOutcome is what a completed community follow-up concluded.
type FollowUpOutcome string

// Follow-up outcomes.
const (
	OutcomeNeedsMet           FollowUpOutcome = "needs-met"
	OutcomeOngoingSupport     FollowUpOutcome = "ongoing-support"
	OutcomeEscalatedToGP      FollowUpOutcome = "escalated-to-gp"
	OutcomeReferredToUCR      FollowUpOutcome = "referred-to-ucr"
	OutcomeConveyedToHospital FollowUpOutcome = "conveyed-to-hospital"
)

// FollowUpOutcomes returns every follow-up outcome.
func FollowUpOutcomes() []FollowUpOutcome {
	return []FollowUpOutcome{OutcomeNeedsMet, OutcomeOngoingSupport, OutcomeEscalatedToGP, OutcomeReferredToUCR, OutcomeConveyedToHospital}
}

// Valid reports whether o is a known follow-up outcome.
func (o FollowUpOutcome) Valid() bool { return slices.Contains(FollowUpOutcomes(), o) }

// ParseFollowUpOutcome returns the follow-up outcome named s.
func ParseFollowUpOutcome(s string) (FollowUpOutcome, error) {
	return parse("follow-up outcome", s, FollowUpOutcomes())
}

// MissedReason says why a community follow-up did not happen.
type MissedReason string

// Reasons a follow-up was missed.
const (
	MissedNoAccess          MissedReason = "no-access"
	MissedNotContactable    MissedReason = "not-contactable"
	MissedTeamCapacity      MissedReason = "team-capacity"
	MissedPatientDeclined   MissedReason = "patient-declined"
	MissedPatientReadmitted MissedReason = "patient-readmitted"
	MissedOther             MissedReason = "other"
)

// MissedReasons returns every missed reason.
func MissedReasons() []MissedReason {
	return []MissedReason{MissedNoAccess, MissedNotContactable, MissedTeamCapacity, MissedPatientDeclined, MissedPatientReadmitted, MissedOther}
}

// Valid reports whether r is a known missed reason.
func (r MissedReason) Valid() bool { return slices.Contains(MissedReasons(), r) }

// Certain reports whether the reason makes the follow-up impossible before
// it is due (the patient declined or is back in hospital), so it may be
// recorded as missed early; every other reason is only known once the
// deadline has passed.
func (r MissedReason) Certain() bool {
	return r == MissedPatientDeclined || r == MissedPatientReadmitted
}

// ParseMissedReason returns the missed reason named s.
func ParseMissedReason(s string) (MissedReason, error) {
	return parse("missed reason", s, MissedReasons())
}

// FollowUpClosure says how the community follow-up was settled when a stay
// closed.
type FollowUpClosure string

// Follow-up closures.
const (
	ClosureFollowUpCompleted   FollowUpClosure = "completed"
	ClosureFollowUpMissed      FollowUpClosure = "missed"
	ClosureFollowUpNotRequired FollowUpClosure = "not-required"
)

// FollowUpClosures returns every follow-up closure.
func FollowUpClosures() []FollowUpClosure {
	return []FollowUpClosure{ClosureFollowUpCompleted, ClosureFollowUpMissed, ClosureFollowUpNotRequired}
}

// Valid reports whether c is a known follow-up closure.
func (c FollowUpClosure) Valid() bool { return slices.Contains(FollowUpClosures(), c) }

// ParseFollowUpClosure returns the follow-up closure named s.
func ParseFollowUpClosure(s string) (FollowUpClosure, error) {
	return parse("follow-up closure", s, FollowUpClosures())
}

// parse returns the member of all named s, or an error listing the choices.
func parse[T ~string](kind, s string, all []T) (T, error) {
	for _, v := range all {
		if string(v) == s {
			return v, nil
		}
	}
	names := make([]string, len(all))
	for i, v := range all {
		names[i] = string(v)
	}
	if len(s) > 32 { // never echo a long input back
		s = s[:32] + "..."
	}
	return "", fmt.Errorf("unknown %s %q: want one of %s", kind, s, strings.Join(names, ", "))
}
