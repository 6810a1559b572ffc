package discharge

import "github.com/careweave/careweave/events"

// Service is the service namespace of these events' wire names.
const Service = "discharge"

// All returns a zero value of every event type of the service.
func All() []events.Data {
	return []events.Data{
		PatientAdmitted{},
		DischargePlanned{},
		PathwayChanged{},
		PatientDischarged{},
		DischargeCancelled{},
		DischargeSummaryReceived{},
		MedicinesServiceReferred{},
		FollowUpAssigned{},
		FollowUpCompleted{},
		FollowUpMissed{},
		ReadmissionDetected{},
		StayClosed{},
	}
}

// Register adds every event type of the service to reg.
func Register(reg *events.Registry) { reg.Register(All()...) }

// Registry returns a new registry holding the service's event types.
func Registry() *events.Registry {
	reg := events.NewRegistry()
	Register(reg)
	return reg
}
