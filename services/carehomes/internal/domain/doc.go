// Package domain is the carehomes service's pure domain layer: the Enhanced
// Health in Care Homes (EHCH) framework as two event-sourced aggregates.
//
//   - A round (stream "round-<id>") is one weekly multidisciplinary round at
//     one care home: scheduled → held → closed, or cancelled before it is
//     held. Residents are nominated (by the home or the MDT) while it is
//     scheduled; once held, each nominated resident gets exactly one outcome
//     (reviewed or not reviewed, with a reason); actions are raised while it
//     is held and may be completed later, even after it is closed. It closes
//     when every resident still nominated has an outcome.
//   - A residency (stream "residency-<id>", one per resident per home) runs
//     from (re)admission to discharge or death: admitted → assessed →
//     care-planned, with the national clock for a holistic assessment and a
//     Personalised Care and Support Plan due within Rules.WorkingDays working
//     days. A discharged residency can be readmitted; a death is final.
//
// Every aggregate has a state struct, an Evolve function (pure, total, never
// fails) and a Route function, and one function per command returning a
// decision assignable to kit/aggregate.Decide. Errors come from kit/domain:
// a bad field is domain.Invalid(<JSON field name>, reason), a transition the
// state does not allow is domain.Refuse(<aggregate>, <status>, <what was
// asked>), acting on an aggregate that does not exist is domain.ErrNotFound,
// and creating one that exists is domain.ErrAlreadyExists. A command that
// would change nothing (a retry of what is already recorded) records nothing.
//
// Routing. A residency is about one patient: RouteResidency returns the
// patient reference as subject. A round is about many patients: RouteRound
// returns subject "" and the PCN as area, so the round's events stay in
// stream order on one partition; every per-resident event carries the
// patient reference in its data instead (field "patient"), which is where a
// projection building a patient's timeline must take it from.
//
// Time. Commands carry Now from the caller's injected clock; nothing here
// reads the clock. Where a command's doc says so (completedAt, admittedAt,
// agreedAt, dischargedAt, diedAt), an occurrence time left zero means Now;
// a round's startedAt and endedAt are always required. A time later than Now
// (beyond FutureSkew, an allowance for clock skew) is refused. The commands
// that need the calendar take Rules: ScheduleRound, RaiseAction,
// CompleteAction, AdmitResident, CompleteAssessment and AgreeCarePlan. Calendar questions (which ISO week,
// which day, is it a working day) are answered in Rules.Location
// (Europe/London by default), never in UTC, so BST cannot move a due date.
//
// Directory facts. The domain does not read kit/directory: the API layer
// resolves what a command refers to and passes the facts in. See each
// command's doc comment; in short: a care home's PCN (Area), the role of
// every clinician named (clinical lead, attendees, action owner, assessor,
// plan agreer), and that team ids exist.
package domain
