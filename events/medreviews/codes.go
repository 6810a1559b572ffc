package medreviews

import (
	"fmt"
	"slices"
)

// SnomedStructuredMedicationReview is the SNOMED CT concept recorded when a
// structured medication review is completed; ReviewCompleted carries it so
// the timeline and GP-record feeds can code the entry without a lookup.
const SnomedStructuredMedicationReview = "1239511000000100"

// DeclinedCluster is the SNOMED CT cluster (refset) that a declined
// structured medication review maps to; ReviewDeclined carries it.
const DeclinedCluster = "STRMEDRWVDEC_COD"

// Cohort is a national SMR priority cohort: a reason the patient was
// identified as a candidate.
type Cohort string

// The priority cohorts (FIELD-NOTES §1, Structured Medication Reviews).
const (
	CohortCareHomeResident   Cohort = "care-home-resident"
	CohortLearningDisability Cohort = "learning-disability"
	CohortPolypharmacy       Cohort = "polypharmacy-10-plus"
	CohortMedicinesHarm      Cohort = "medicines-associated-with-harm"
	CohortSevereFrailty      Cohort = "severe-frailty"
	CohortHousebound         Cohort = "housebound"
	CohortRecentFall         Cohort = "recent-fall"
	CohortRecentAdmission    Cohort = "recent-admission"
	CohortOpioids            Cohort = "opioids"
	CohortGabapentinoids     Cohort = "gabapentinoids"
	CohortBenzodiazepines    Cohort = "benzodiazepines"
	CohortZDrugs             Cohort = "z-drugs"
)

var cohorts = []Cohort{CohortCareHomeResident, CohortLearningDisability, CohortPolypharmacy,
	CohortMedicinesHarm, CohortSevereFrailty, CohortHousebound, CohortRecentFall,
	CohortRecentAdmission, CohortOpioids, CohortGabapentinoids, CohortBenzodiazepines, CohortZDrugs}

// Cohorts returns every cohort, in the order above.
func Cohorts() []Cohort { return slices.Clone(cohorts) }

// Valid reports whether c is a known cohort.
func (c Cohort) Valid() bool { return slices.Contains(cohorts, c) }

// ParseCohort returns the cohort named s.
func ParseCohort(s string) (Cohort, error) { return parse(s, cohorts, "cohort") }

// Channel is how a patient was invited to a review.
type Channel string

// Invitation channels.
const (
	ChannelLetter   Channel = "letter"
	ChannelPhone    Channel = "phone"
	ChannelSMS      Channel = "sms"
	ChannelInPerson Channel = "in-person"
)

var channels = []Channel{ChannelLetter, ChannelPhone, ChannelSMS, ChannelInPerson}

// Channels returns every invitation channel.
func Channels() []Channel { return slices.Clone(channels) }

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(channels, c) }

// ParseChannel returns the channel named s.
func ParseChannel(s string) (Channel, error) { return parse(s, channels, "channel") }

// Mode is how a review is (to be) held.
type Mode string

// Review modes. A care-home review is held at the patient's care home, which
// the review names (CandidateIdentified.CareHome).
const (
	ModeFaceToFace Mode = "face-to-face"
	ModeTelephone  Mode = "telephone"
	ModeVideo      Mode = "video"
	ModeHomeVisit  Mode = "home-visit"
	ModeCareHome   Mode = "care-home"
)

var modes = []Mode{ModeFaceToFace, ModeTelephone, ModeVideo, ModeHomeVisit, ModeCareHome}

// Modes returns every review mode.
func Modes() []Mode { return slices.Clone(modes) }

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return slices.Contains(modes, m) }

// ParseMode returns the mode named s.
func ParseMode(s string) (Mode, error) { return parse(s, modes, "mode") }

// ClinicianRole is the role of a clinician who holds, completes or decides on
// a review. The values are the directory's role names.
type ClinicianRole string

// The roles that may review medicines and, as prescribers, decide on
// recommendations. A clinical pharmacist deciding on a recommendation is an
// independent prescriber (the domain refuses one who is not).
const (
	RoleClinicalPharmacist ClinicianRole = "clinical-pharmacist"
	RoleGP                 ClinicianRole = "gp"
)

var clinicianRoles = []ClinicianRole{RoleClinicalPharmacist, RoleGP}

// ClinicianRoles returns every role that may review medicines.
func ClinicianRoles() []ClinicianRole { return slices.Clone(clinicianRoles) }

// Valid reports whether r is a role that may review medicines.
func (r ClinicianRole) Valid() bool { return slices.Contains(clinicianRoles, r) }

// ParseClinicianRole returns the role named s.
func ParseClinicianRole(s string) (ClinicianRole, error) {
	return parse(s, clinicianRoles, "clinician role")
}

// Action is what a recommendation proposes for one medicine.
type Action string

// Recommendation actions.
const (
	ActionStop       Action = "stop"
	ActionStart      Action = "start"
	ActionChangeDose Action = "change-dose"
	ActionSwitch     Action = "switch"
	ActionContinue   Action = "continue"
)

var actions = []Action{ActionStop, ActionStart, ActionChangeDose, ActionSwitch, ActionContinue}

// Actions returns every recommendation action.
func Actions() []Action { return slices.Clone(actions) }

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(actions, a) }

// ParseAction returns the action named s.
func ParseAction(s string) (Action, error) { return parse(s, actions, "action") }

// CloseReason is why a review episode was withdrawn or closed before it was
// completed or declined.
type CloseReason string

// Close reasons. Other needs a note saying what happened.
const (
	ClosePatientDied      CloseReason = "patient-died"
	CloseMovedPractice    CloseReason = "moved-practice"
	CloseNoLongerEligible CloseReason = "no-longer-eligible"
	CloseEnteredInError   CloseReason = "entered-in-error"
	CloseOther            CloseReason = "other"
)

var closeReasons = []CloseReason{ClosePatientDied, CloseMovedPractice, CloseNoLongerEligible,
	CloseEnteredInError, CloseOther}

// CloseReasons returns every close reason.
func CloseReasons() []CloseReason { return slices.Clone(closeReasons) }

// Valid reports whether r is a known close reason.
func (r CloseReason) Valid() bool { return slices.Contains(closeReasons, r) }

// ParseCloseReason returns the close reason named s.
func ParseCloseReason(s string) (CloseReason, error) { return parse(s, closeReasons, "close reason") }

func parse[T ~string](s string, known []T, what string) (T, error) {
	if v := T(s); slices.Contains(known, v) {
		return v, nil
	}
	return "", fmt.Errorf("unknown %s %q: want one of %v", what, truncate(s, 40), known)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
