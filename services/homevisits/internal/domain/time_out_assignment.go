package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
)

// AcceptBy is when the current assignment of s must be accepted by, under
// rules; zero unless the visit waits for its clinician's acceptance.
func AcceptBy(rules Rules, s VisitState) time.Time {
	if s.Status != StatusAssigned {
		return time.Time{}
	}
	return s.AssignedAt.Add(rules.AcceptWithin)
}

// TimeOutAssignment sends a visit whose clinician has not accepted it in
// time back to the duty coordinator. The timer calls it when the time is
// up; it records nothing if the visit has moved on meanwhile (accepted,
// declined, reassigned — a reassignment starts a new wait) or if, by now,
// the time is not up after all.
func TimeOutAssignment(rules Rules, now time.Time) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		due := AcceptBy(rules, s)
		if due.IsZero() || now.Before(due) {
			return nil, nil
		}
		return []events.Data{homevisits.AssignmentTimedOut{
			ClinicianID: s.ClinicianID, Role: s.Role, AssignedAt: s.AssignedAt, AcceptBy: due.UTC(), TimedOutAt: now.UTC(),
		}}, nil
	}
}
