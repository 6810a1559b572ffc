package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/domain"
)

// RequestVisitCmd asks for a home visit. The JSON field names of the API are
// given where they differ from the Go name's camelCase.
type RequestVisitCmd struct {
	// Patient is the opaque patient reference (never an NHS number).
	Patient string
	// Practice is the ODS code of the patient's practice.
	Practice string
	// PCN is the ODS code of the practice's PCN, looked up by the API
	// (directory.Practice.PCN): the routing area of the visit's events.
	PCN string
	// CareHome is the directory id of the patient's care home, if they live
	// in one; required when the request comes from a care home. The API
	// checks it exists and is aligned to PCN.
	CareHome string
	// Reason is what the caller said (at most MaxReasonLen characters).
	Reason string
	Source homevisits.Source
	Caller homevisits.Caller
	Now    time.Time
}

// RequestVisit creates a visit. A visit that already exists fails with
// domain.ErrAlreadyExists.
func RequestVisit(cmd RequestVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if version != 0 {
			return nil, domain.ErrAlreadyExists
		}
		if err := checkPatient(cmd.Patient); err != nil {
			return nil, err
		}
		if err := checkODS("practice", cmd.Practice); err != nil {
			return nil, err
		}
		if err := checkODS("pcn", cmd.PCN); err != nil {
			return nil, err
		}
		reason, err := text("reason", cmd.Reason, MaxReasonLen, true)
		if err != nil {
			return nil, err
		}
		if !cmd.Source.Valid() {
			return nil, domain.Invalid("source", "must be one of: "+homevisits.OneOf(homevisits.Sources()))
		}
		if !cmd.Caller.Valid() {
			return nil, domain.Invalid("caller", "must be one of: "+homevisits.OneOf(homevisits.Callers()))
		}
		fromHome := cmd.Source == homevisits.SourceCareHome || cmd.Caller == homevisits.CallerCareHomeStaff
		if cmd.CareHome != "" || fromHome {
			if err := checkDirectoryID("careHome", cmd.CareHome); err != nil {
				if cmd.CareHome == "" {
					return nil, domain.Invalid("careHome", "is required when a care home asks for the visit")
				}
				return nil, err
			}
		}
		return []events.Data{homevisits.VisitRequested{
			Patient: cmd.Patient, Practice: cmd.Practice, PCN: cmd.PCN, CareHome: cmd.CareHome,
			Reason: reason, Source: cmd.Source, Caller: cmd.Caller, RequestedAt: cmd.Now.UTC(),
		}}, nil
	}
}
