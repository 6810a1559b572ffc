// Package domain is the pure decision layer of the hospital discharge
// service: one aggregate, the stay (one hospital admission of one patient,
// from admission through discharge to the community follow-up), as
//
//	EvolveStay(state, event) state                          // pure, total
//	<Command>(cmd[, rules]) func(state, version) (events, error)
//
// which kit/aggregate runs (the returned func is an aggregate.Decide). It
// does no I/O and never reads the clock: commands carry Now, and local
// practice (deadlines, the readmission window, the time zone) comes in as
// Rules.
//
// # States
//
//	admitted ─plan─▶ discharge-planned ─discharge─▶ discharged ─settled─▶ closed
//	admitted ───────────────discharge─────────────▶ discharged
//	discharged | closed ─discharge cancelled (A13)─▶ discharge-planned (a plan exists) | admitted
//
// A cancelled discharge keeps the retracted discharge, with everything that
// hung on it (summary, medicines referral, follow-up, readmission, closure),
// in StayState.RetractedDischarges: it is history, to be shown as retracted,
// never dropped. The plan outlives it, so the stay's pathway is the plan's
// again.
//
// A stay closes (a StayClosed event, recorded by the decision that settles
// it) when the discharge summary has been received and the community
// follow-up is completed, missed, or was never required (pathway P0 without
// follow-up needs and no team assigned). The Discharge Medicines Service is
// the pharmacy's to finish and does not hold a stay open. A closed stay
// still takes a medicines referral, a readmission and a discharge
// cancellation: all three belong to the discharge, not to the community
// work.
//
// # Commands by state
//
// "nil" records nothing (the command changes nothing); "-" is refused with a
// *domain.TransitionError naming the state. Every command but Admit returns
// domain.ErrNotFound on a stay that does not exist.
//
//	command               admitted   discharge-planned  discharged        closed
//	Admit                 ErrAlreadyExists in every state; creates at version 0
//	PlanDischarge         yes        revise date | nil  -                 -
//	ChangePathway         -          yes | nil (same)   -                 -
//	DischargePatient      yes        yes                nil same | -      nil same | -
//	CancelDischarge       nil after a cancellation, else -  yes           yes
//	ReceiveSummary        -          -                  yes | nil same    nil same | -
//	ReferMedicines        -          -                  yes | nil same pharmacy (both)
//	AssignFollowUp        -          -                  yes (a)           -
//	CompleteFollowUp      -          -                  yes (b)           nil same | -
//	RecordFollowUpMissed  -          -                  yes (c)           nil same | -
//	DetectReadmission     nil        nil                yes | nil         yes | nil
//
// (a) not once the follow-up is completed or missed; the same team records
// nothing, another team moves it and keeps its deadline. (b) needs an
// assigned follow-up not missed. (c) needs an assigned follow-up not
// completed, and Now after its due time unless the reason is certain
// (patient declined or readmitted). DetectReadmission is never refused: it
// records nothing for an elective or transfer admission, a day past the
// window, a stay with no standing discharge (a cancelled discharge is not a
// discharge) or a readmission already recorded.
//
// # What the API layer resolves
//
// The domain takes facts, not look-ups. From kit/directory the API passes
// the registered practice's PCN (AdmitCmd.PCN, the routing area); checks the
// care home exists (DischargeCmd.CareHomeID); passes the community team's
// covered areas (AssignFollowUpCmd.TeamAreas); and the clinician's role
// (CompleteFollowUpCmd.ClinicianRole), after checking the clinician belongs
// to the assigned team. When it admits a new stay it finds the patient's
// previous stay and runs DetectReadmission on that stay.
package domain
