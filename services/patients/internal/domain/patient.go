// Package domain is the patient registry's aggregate: who is registered
// where, with which trace status, and which references were merged.
package domain

import (
	"slices"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/patients"
	"github.com/careweave/careweave/kit/domain"
)

// Status of a patient record.
type Status string

// Statuses.
const (
	StatusRegistered Status = "registered"
	StatusMerged     Status = "merged" // a duplicate; Survivor is the real record
)

// Patient is a registered patient, without personal details.
type Patient struct {
	Ref         string
	Status      Status
	Practice    string
	PCN         string
	TraceStatus patients.TraceStatus
	Survivor    string
}

// Evolve applies one event.
func Evolve(p Patient, e events.Data) Patient {
	switch e := e.(type) {
	case patients.PatientRegistered:
		p = Patient{Ref: e.Patient, Status: StatusRegistered, Practice: e.Practice, PCN: e.PCN, TraceStatus: e.TraceStatus}
	case patients.TraceStatusChanged:
		p.TraceStatus = e.TraceStatus
	case patients.PracticeChanged:
		p.Practice, p.PCN = e.ToPractice, e.ToPCN
	case patients.PatientMerged:
		p.Status, p.Survivor = StatusMerged, e.Survivor
	}
	return p
}

// Route says the events are about the patient, in their PCN.
func Route(p Patient) (subject, area string) { return p.Ref, p.PCN }

// RegisterCmd registers a new patient. The API has checked the practice
// in the directory and passes its PCN.
type RegisterCmd struct {
	Ref         string
	Practice    string
	PCN         string
	TraceStatus patients.TraceStatus
}

// Register decides a registration.
func Register(cmd RegisterCmd) func(Patient, int64) ([]events.Data, error) {
	return func(_ Patient, version int64) ([]events.Data, error) {
		if version > 0 {
			return nil, domain.ErrAlreadyExists
		}
		if !cmd.TraceStatus.Valid() {
			return nil, domain.Invalid("traceStatus", "must be a PDS trace status 01 to 08")
		}
		return []events.Data{patients.PatientRegistered{Patient: cmd.Ref, Practice: cmd.Practice, PCN: cmd.PCN, TraceStatus: cmd.TraceStatus}}, nil
	}
}

// demographicFields are the personal details whose change is recorded.
var demographicFields = []string{"givenName", "familyName", "birthDate"}

// ChangeDemographics records which personal details changed.
func ChangeDemographics(changed []string) func(Patient, int64) ([]events.Data, error) {
	return func(p Patient, version int64) ([]events.Data, error) {
		if err := active(p, version, "changed"); err != nil {
			return nil, err
		}
		for _, f := range changed {
			if !slices.Contains(demographicFields, f) {
				return nil, domain.Invalid(f, "is not a demographic field")
			}
		}
		if len(changed) == 0 {
			return nil, nil
		}
		return []events.Data{patients.DemographicsChanged{Patient: p.Ref, Changed: changed}}, nil
	}
}

// ChangeTraceStatus records a new trace status.
func ChangeTraceStatus(status patients.TraceStatus) func(Patient, int64) ([]events.Data, error) {
	return func(p Patient, version int64) ([]events.Data, error) {
		if err := active(p, version, "traced"); err != nil {
			return nil, err
		}
		if !status.Valid() {
			return nil, domain.Invalid("traceStatus", "must be a PDS trace status 01 to 08")
		}
		if status == p.TraceStatus {
			return nil, nil
		}
		return []events.Data{patients.TraceStatusChanged{Patient: p.Ref, TraceStatus: status}}, nil
	}
}

// ChangePracticeCmd moves the registration; the API resolved the PCN.
type ChangePracticeCmd struct {
	Practice string
	PCN      string
}

// ChangePractice records a new registered practice.
func ChangePractice(cmd ChangePracticeCmd) func(Patient, int64) ([]events.Data, error) {
	return func(p Patient, version int64) ([]events.Data, error) {
		if err := active(p, version, "moved"); err != nil {
			return nil, err
		}
		if cmd.Practice == p.Practice {
			return nil, nil
		}
		return []events.Data{patients.PracticeChanged{Patient: p.Ref, FromPractice: p.Practice, ToPractice: cmd.Practice, FromPCN: p.PCN, ToPCN: cmd.PCN}}, nil
	}
}

// Merge retires p as a duplicate of survivor. The API checks that the
// survivor exists and is not itself merged.
func Merge(survivor string) func(Patient, int64) ([]events.Data, error) {
	return func(p Patient, version int64) ([]events.Data, error) {
		if err := active(p, version, "merged"); err != nil {
			return nil, err
		}
		if survivor == p.Ref {
			return nil, domain.Invalid("survivor", "must be another patient")
		}
		return []events.Data{patients.PatientMerged{Patient: p.Ref, Survivor: survivor}}, nil
	}
}

func active(p Patient, version int64, command string) error {
	if version == 0 {
		return domain.ErrNotFound
	}
	if p.Status == StatusMerged {
		return domain.Refuse("patient", string(p.Status), command)
	}
	return nil
}
