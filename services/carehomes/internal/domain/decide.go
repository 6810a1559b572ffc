package domain

import (
	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/domain"
)

// one is the decision to record a single event.
func one(e events.Data) ([]events.Data, error) { return []events.Data{e}, nil }

// refuseRound refuses a command in the round's current status. what is the
// past participle the refusal reads with: "the round is held; it cannot be
// <what>".
func refuseRound(s RoundState, what string) error {
	return domain.Refuse(roundAggregate, string(s.Status), what)
}

// refuseResidency is refuseRound's counterpart for residencies.
func refuseResidency(s ResidencyState, what string) error {
	return domain.Refuse(residencyAggregate, string(s.Status), what)
}
