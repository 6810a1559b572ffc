package carehomes

import "github.com/careweave/careweave/events"

// Register adds every carehomes event type to reg.
func Register(reg *events.Registry) {
	reg.Register(
		RoundScheduled{}, ResidentNominated{}, NominationWithdrawn{}, RoundHeld{},
		ResidentReviewed{}, ResidentNotReviewed{}, ActionRaised{}, ActionCompleted{},
		RoundClosed{}, RoundCancelled{},
		ResidentAdmitted{}, AssessmentCompleted{}, CarePlanAgreed{}, ResidentDischarged{},
		ResidentDied{},
	)
}

// Registry returns a new registry holding every carehomes event type.
func Registry() *events.Registry {
	reg := events.NewRegistry()
	Register(reg)
	return reg
}
