// Package domain is the home-visits service's pure domain layer: the visit
// aggregate, its commands and its rules. It does no I/O and never reads the
// clock; the application layer loads a visit with kit/aggregate, runs one of
// the decide functions here, and appends what it returns.
//
// One visit is one request for a home visit. What each command does:
//
//	command    allowed when the visit is                      it becomes
//	request    new                                            requested
//	triage     requested                                      triaged, or triaged-no-visit
//	           triaged, assigned, accepted, declined          (re-triage) status kept, or triaged-no-visit
//	assign     triaged                                        assigned
//	reassign   assigned, accepted, declined                   assigned (acceptance cleared)
//	accept     assigned                                       accepted
//	decline    assigned, accepted                             declined
//	en route   assigned (records the acceptance too),         en-route
//	           accepted
//	on site    assigned (records the acceptance too),         on-site
//	           accepted, en-route
//	complete   on-site                                        completed
//	no access  en-route, on-site                              no-access
//	cancel     any state that is not terminal                 cancelled
//	escalate   any state that is not terminal                 escalated
//
// Terminal states (triaged-no-visit, completed, no-access, cancelled,
// escalated) refuse every command. Repeating what is already so records
// nothing: assigning the clinician who holds the visit, accepting or
// declining twice, marking en route or on site twice.
//
// Commands that refer to the directory take facts the API layer has already
// looked up in kit/directory, so this package stays pure:
//
//   - RequestVisitCmd.PCN: the PCN of Practice (directory.Practice.PCN); the
//     API also checks that CareHome exists and is aligned to that PCN.
//   - TriageVisitCmd.TriagedByRole: the triaging clinician's role.
//   - AssignVisitCmd.Role, ReassignVisitCmd.Role: the clinician's role.
//   - Accept, decline, en route, on site, complete and no access carry the
//     acting clinician's id (ClinicianID), which must be the assigned one:
//     the API sets it from the authenticated actor.
//
// The API wires the aggregate once and runs each command through it, with
// the same clock reading in the command's Now and in aggregate.Meta.Now:
//
//	visits := aggregate.Type[domain.VisitState]{Name: domain.Aggregate,
//		Registry: homevisits.Registry(), Evolve: domain.EvolveVisit, Route: domain.RouteVisit}
//	repo := aggregate.NewRepository(visits, store)
//	repo.Execute(ctx, nil, id, ifMatch, meta, domain.CancelVisit(cmd))
//
// Rules come from configuration at start-up (DefaultRules, then Validate)
// and are passed to TriageVisit, AssignVisit and ReassignVisit.
//
// Errors come from kit/domain: *domain.FieldError (field = the API's JSON
// field name) for a bad command, *domain.TransitionError when the visit's
// state does not allow the command, domain.ErrNotFound and
// domain.ErrAlreadyExists.
package domain
