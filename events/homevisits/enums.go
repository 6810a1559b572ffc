package homevisits

import (
	"fmt"
	"slices"
	"strings"
)

// Source is how a home-visit request reached the practice.
type Source string

// Sources of a request.
const (
	SourcePhone    Source = "phone"
	SourceOnline   Source = "online"
	SourceCareHome Source = "care-home"
	Source111      Source = "111"
	SourceOther    Source = "other"
)

// Sources returns every Source, in the order forms should offer them.
func Sources() []Source {
	return []Source{SourcePhone, SourceOnline, SourceCareHome, Source111, SourceOther}
}

// Valid reports whether s is a known Source.
func (s Source) Valid() bool { return slices.Contains(Sources(), s) }

// ParseSource returns the Source spelled s.
func ParseSource(s string) (Source, error) { return parse(s, Sources()) }

// Caller is the relationship to the patient of the person who asked for the
// visit.
type Caller string

// Callers.
const (
	CallerPatient       Caller = "patient"
	CallerRelative      Caller = "relative"
	CallerCarer         Caller = "carer"
	CallerCareHomeStaff Caller = "care-home-staff"
	CallerProfessional  Caller = "professional"
)

// Callers returns every Caller.
func Callers() []Caller {
	return []Caller{CallerPatient, CallerRelative, CallerCarer, CallerCareHomeStaff, CallerProfessional}
}

// Valid reports whether c is a known Caller.
func (c Caller) Valid() bool { return slices.Contains(Callers(), c) }

// ParseCaller returns the Caller spelled s.
func ParseCaller(s string) (Caller, error) { return parse(s, Callers()) }

// Role is the role of a clinician who triages or visits. The values are the
// directory's role names (kit/directory.Role), so the API passes a looked-up
// clinician's role straight through.
type Role string

// Roles of visiting and triaging clinicians.
const (
	RoleParamedic            Role = "paramedic"
	RoleAdvancedPractitioner Role = "advanced-clinical-practitioner"
	RoleGP                   Role = "gp"
	RoleDistrictNurse        Role = "district-nurse"
)

// Roles returns every Role.
func Roles() []Role {
	return []Role{RoleParamedic, RoleAdvancedPractitioner, RoleGP, RoleDistrictNurse}
}

// Valid reports whether r is a known Role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// ParseRole returns the Role spelled s.
func ParseRole(s string) (Role, error) { return parse(s, Roles()) }

// TriageOutcome is what the triaging GP decided instead of a visit.
type TriageOutcome string

// Triage outcomes that need no visit.
const (
	TriageAdvice        TriageOutcome = "advice"
	TriagePrescription  TriageOutcome = "prescription"
	TriageAttendSurgery TriageOutcome = "attend-surgery"
	TriageReferredTo999 TriageOutcome = "referred-to-999"
	TriageReferredToUCR TriageOutcome = "referred-to-ucr"
)

// TriageOutcomes returns every TriageOutcome.
func TriageOutcomes() []TriageOutcome {
	return []TriageOutcome{TriageAdvice, TriagePrescription, TriageAttendSurgery, TriageReferredTo999, TriageReferredToUCR}
}

// Valid reports whether o is a known TriageOutcome.
func (o TriageOutcome) Valid() bool { return slices.Contains(TriageOutcomes(), o) }

// ParseTriageOutcome returns the TriageOutcome spelled s.
func ParseTriageOutcome(s string) (TriageOutcome, error) { return parse(s, TriageOutcomes()) }

// Outcome is how a completed visit ended for the patient.
type Outcome string

// Outcomes of a completed visit.
const (
	OutcomeManagedAtHome           Outcome = "managed-at-home"
	OutcomePrescriptionIssued      Outcome = "prescription-issued"
	OutcomeHandedBackToGP          Outcome = "handed-back-to-gp"
	OutcomeReferredToCommunityTeam Outcome = "referred-to-community-team"
	OutcomeReferredToUCR           Outcome = "referred-to-ucr"
	OutcomeConveyedToHospital      Outcome = "conveyed-to-hospital"
)

// Outcomes returns every Outcome.
func Outcomes() []Outcome {
	return []Outcome{OutcomeManagedAtHome, OutcomePrescriptionIssued, OutcomeHandedBackToGP,
		OutcomeReferredToCommunityTeam, OutcomeReferredToUCR, OutcomeConveyedToHospital}
}

// Valid reports whether o is a known Outcome.
func (o Outcome) Valid() bool { return slices.Contains(Outcomes(), o) }

// ParseOutcome returns the Outcome spelled s.
func ParseOutcome(s string) (Outcome, error) { return parse(s, Outcomes()) }

// CancelReason is why a visit was cancelled.
type CancelReason string

// Reasons for cancelling.
const (
	CancelPatientCancelled    CancelReason = "patient-cancelled"
	CancelAdmittedBeforeVisit CancelReason = "admitted-before-visit"
	CancelAttendedSurgery     CancelReason = "attended-surgery"
	CancelDuplicate           CancelReason = "duplicate"
	CancelDied                CancelReason = "died"
	CancelOther               CancelReason = "other"
)

// CancelReasons returns every CancelReason.
func CancelReasons() []CancelReason {
	return []CancelReason{CancelPatientCancelled, CancelAdmittedBeforeVisit, CancelAttendedSurgery,
		CancelDuplicate, CancelDied, CancelOther}
}

// Valid reports whether r is a known CancelReason.
func (r CancelReason) Valid() bool { return slices.Contains(CancelReasons(), r) }

// ParseCancelReason returns the CancelReason spelled s.
func ParseCancelReason(s string) (CancelReason, error) { return parse(s, CancelReasons()) }

// EscalationTarget is whom a visit was escalated to.
type EscalationTarget string

// Escalation targets.
const (
	EscalateToGP  EscalationTarget = "gp"
	EscalateTo999 EscalationTarget = "999"
	EscalateToUCR EscalationTarget = "ucr"
)

// EscalationTargets returns every EscalationTarget.
func EscalationTargets() []EscalationTarget {
	return []EscalationTarget{EscalateToGP, EscalateTo999, EscalateToUCR}
}

// Valid reports whether t is a known EscalationTarget.
func (t EscalationTarget) Valid() bool { return slices.Contains(EscalationTargets(), t) }

// ParseEscalationTarget returns the EscalationTarget spelled s.
func ParseEscalationTarget(s string) (EscalationTarget, error) {
	return parse(s, EscalationTargets())
}

// parse returns the value of all spelled exactly s, or an error listing the
// values (safe to show: it never echoes s).
func parse[T ~string](s string, all []T) (T, error) {
	for _, v := range all {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("must be one of: %s", OneOf(all))
}

// OneOf lists enumeration values for an error message: "a, b, c".
func OneOf[T ~string](all []T) string {
	names := make([]string, len(all))
	for i, v := range all {
		names[i] = string(v)
	}
	return strings.Join(names, ", ")
}
