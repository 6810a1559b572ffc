package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// AdmitCmd opens a stay for one hospital admission (HL7 ADT A01).
type AdmitCmd struct {
	StayID string
	// Patient is the opaque patient reference (never an NHS number).
	Patient string
	// HospitalSite is the hospital's ODS site code, e.g. RTE01.
	HospitalSite string
	Ward         string
	AdmittedAt   time.Time
	Method       discharge.AdmissionMethod
	// Practice is the registered GP practice's ODS code and PCN its PCN's,
	// which the API looks up in the directory (Practice(ods).PCN).
	Practice string
	PCN      string
	Now      time.Time
}

// Admit decides AdmitCmd. The stay must not exist yet.
func Admit(cmd AdmitCmd) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if version > 0 {
			return nil, domain.ErrAlreadyExists
		}
		if err := cmd.validate(); err != nil {
			return nil, err
		}
		return []events.Data{discharge.PatientAdmitted{
			StayID: cmd.StayID, Patient: cmd.Patient, HospitalSite: cmd.HospitalSite, Ward: cmd.Ward,
			AdmittedAt: cmd.AdmittedAt.UTC(), Method: cmd.Method, Practice: cmd.Practice, PCN: cmd.PCN,
		}}, nil
	}
}

func (cmd AdmitCmd) validate() error {
	if err := checkReference("stayId", cmd.StayID); err != nil {
		return err
	}
	if err := checkReference("patient", cmd.Patient); err != nil {
		return err
	}
	if err := checkODS("hospitalSite", cmd.HospitalSite); err != nil {
		return err
	}
	if err := checkText("ward", cmd.Ward, 64); err != nil {
		return err
	}
	if err := checkTime("admittedAt", cmd.AdmittedAt, cmd.Now, time.Time{}, ""); err != nil {
		return err
	}
	if !cmd.Method.Valid() {
		return domain.Invalid("admissionMethod", "must be emergency, elective or transfer")
	}
	if err := checkODS("practice", cmd.Practice); err != nil {
		return err
	}
	return checkODS("pcn", cmd.PCN)
}
