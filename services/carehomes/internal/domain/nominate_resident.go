package domain

import (
	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// NominateResidentCmd puts a resident on a scheduled round's list. The API
// layer checks the patient reference belongs to a resident of the round's
// care home (a legitimate relationship).
type NominateResidentCmd struct {
	Patient     string // "patient": opaque patient reference
	NominatedBy string // "nominatedBy": home or mdt
	Reason      string // "reason": why the resident should be seen
	Priority    string // "priority": urgent, high or routine
}

// NominateResident adds a resident to the list, or puts a withdrawn one back.
// Only a scheduled round takes nominations: once it is held, the list is
// what was seen. Nominating a resident again with the same details records
// nothing; with different details it is refused (withdraw first).
func NominateResident(cmd NominateResidentCmd) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if err := checkPatient("patient", cmd.Patient); err != nil {
			return nil, err
		}
		by, err := carehomes.ParseNominator(cmd.NominatedBy)
		if err != nil {
			return nil, domain.Invalid("nominatedBy", err.Error())
		}
		reason, err := text("reason", cmd.Reason, maxShortText, true)
		if err != nil {
			return nil, err
		}
		priority, err := carehomes.ParsePriority(cmd.Priority)
		if err != nil {
			return nil, domain.Invalid("priority", err.Error())
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		n, nominated := s.Nomination(cmd.Patient)
		if nominated && !n.Withdrawn && n.NominatedBy == by && n.Reason == reason && n.Priority == priority {
			return nil, nil
		}
		if s.Status != RoundStatusScheduled {
			return nil, refuseRound(s, "given new nominations")
		}
		if nominated && !n.Withdrawn {
			return nil, refuseRound(s, "given a second, different nomination for a resident already on its list")
		}
		return one(carehomes.ResidentNominated{
			RoundRef: s.ref(), Patient: cmd.Patient, NominatedBy: by, Reason: reason, Priority: priority,
		})
	}
}
