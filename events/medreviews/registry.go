package medreviews

import "github.com/careweave/careweave/events"

// All returns a zero value of every event type of the service.
func All() []events.Data {
	return []events.Data{
		CandidateIdentified{},
		ReviewInvited{},
		ReviewBooked{},
		ReviewRebooked{},
		AppointmentNotAttended{},
		ReviewCompleted{},
		ReviewDeclined{},
		ReviewClosed{},
		RecommendationRecorded{},
		RecommendationAccepted{},
		RecommendationRejected{},
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
