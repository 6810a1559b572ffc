// Package patients holds the patient registry's event contracts. They carry
// no personal details: the NHS number, name and date of birth stay in the
// registry's own table, where they can be erased. Events say that something
// changed and to which opaque reference.
package patients

import "github.com/careweave/careweave/events"

// TraceStatus is the PDS NHS number trace status (PID-32 NSTS01–08).
type TraceStatus string

// Trace statuses.
const (
	TraceVerified   TraceStatus = "01" // number present and verified
	TraceNotTraced  TraceStatus = "02" // number present but not traced
	TraceRequired   TraceStatus = "03" // trace required
	TraceNoMatch    TraceStatus = "04" // trace attempted, no match or multiple matches
	TraceToResolve  TraceStatus = "05" // trace needs to be resolved (conflict)
	TraceInProgress TraceStatus = "06" // trace in progress
	TraceNotPresent TraceStatus = "07" // number not present, trace not required
	TracePostponed  TraceStatus = "08" // trace postponed (baby under six weeks)
)

// Valid reports whether t is a known status.
func (t TraceStatus) Valid() bool { return len(t) == 2 && t >= "01" && t <= "08" }

// PatientRegistered: a patient has an opaque reference, registered at a
// practice in a PCN.
type PatientRegistered struct {
	Patient     string      `json:"patient"`
	Practice    string      `json:"practice"`
	PCN         string      `json:"pcn"`
	TraceStatus TraceStatus `json:"traceStatus"`
}

// EventType implements events.Data.
func (PatientRegistered) EventType() string { return "careweave.patients.patient_registered.v1" }

// DemographicsChanged names which personal details changed (not their values).
type DemographicsChanged struct {
	Patient string   `json:"patient"`
	Changed []string `json:"changed"`
}

// EventType implements events.Data.
func (DemographicsChanged) EventType() string {
	return "careweave.patients.patient_demographics_changed.v1"
}

// TraceStatusChanged records a new NHS number trace status.
type TraceStatusChanged struct {
	Patient     string      `json:"patient"`
	TraceStatus TraceStatus `json:"traceStatus"`
}

// EventType implements events.Data.
func (TraceStatusChanged) EventType() string {
	return "careweave.patients.patient_trace_status_changed.v1"
}

// PracticeChanged: the patient registered at another practice (maybe in
// another PCN, which moves their events to another area).
type PracticeChanged struct {
	Patient      string `json:"patient"`
	FromPractice string `json:"fromPractice"`
	ToPractice   string `json:"toPractice"`
	FromPCN      string `json:"fromPcn"`
	ToPCN        string `json:"toPcn"`
}

// EventType implements events.Data.
func (PracticeChanged) EventType() string { return "careweave.patients.patient_practice_changed.v1" }

// PatientMerged: this reference was a duplicate of Survivor; everything
// about it now belongs to Survivor.
type PatientMerged struct {
	Patient  string `json:"patient"`
	Survivor string `json:"survivor"`
}

// EventType implements events.Data.
func (PatientMerged) EventType() string { return "careweave.patients.patient_merged.v1" }

// Register adds the registry's events to reg.
func Register(reg *events.Registry) {
	reg.Register(PatientRegistered{}, DemographicsChanged{}, TraceStatusChanged{}, PracticeChanged{}, PatientMerged{})
}

// Registry returns a registry of the patient events.
func Registry() *events.Registry {
	reg := events.NewRegistry()
	Register(reg)
	return reg
}
