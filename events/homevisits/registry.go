package homevisits

import "github.com/careweave/careweave/events"

// All returns a zero value of every event type of the service.
func All() []events.Data {
	return []events.Data{
		VisitRequested{}, VisitTriaged{}, TriagedWithoutVisit{}, VisitAssigned{}, VisitReassigned{},
		AssignmentAccepted{}, AssignmentDeclined{}, AssignmentTimedOut{}, TravelStarted{}, ClinicianArrived{},
		VisitCompleted{}, NoAccessRecorded{}, VisitCancelled{}, VisitEscalated{},
	}
}

// Register adds every home-visits event type to reg.
func Register(reg *events.Registry) { reg.Register(All()...) }

// Registry returns a new registry holding the home-visits event types.
func Registry() *events.Registry {
	reg := events.NewRegistry()
	Register(reg)
	return reg
}
