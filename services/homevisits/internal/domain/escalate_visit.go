package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/domain"
)

// EscalateVisitCmd hands the visit on to someone outside the visiting team.
type EscalateVisitCmd struct {
	To homevisits.EscalationTarget
	// Reason is required (at most MaxReasonLen characters).
	Reason string
	Now    time.Time
}

// EscalateVisit closes the visit by handing it to the GP, 999 or the Urgent
// Community Response, from any state that is not terminal. Anyone with the
// visit may escalate (a coordinator when no one can reach the patient in
// time, the clinician on site); the actor is on the envelope. A request not
// yet triaged cannot go "to the GP": it is with the duty GP already.
func EscalateVisit(cmd EscalateVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if s.Status.Terminal() {
			return nil, refuse(s, "escalated")
		}
		if !cmd.To.Valid() {
			return nil, domain.Invalid("to", "must be one of: "+homevisits.OneOf(homevisits.EscalationTargets()))
		}
		if cmd.To == homevisits.EscalateToGP && s.Status == StatusRequested {
			return nil, domain.Invalid("to", "the request is waiting for the duty GP's triage already")
		}
		reason, err := text("reason", cmd.Reason, MaxReasonLen, true)
		if err != nil {
			return nil, err
		}
		holder, role := s.holder()
		return []events.Data{homevisits.VisitEscalated{
			To: cmd.To, Reason: reason, ClinicianID: holder, Role: role, EscalatedAt: cmd.Now.UTC(),
		}}, nil
	}
}
