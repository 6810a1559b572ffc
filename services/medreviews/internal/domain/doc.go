// Package domain is the medreviews service's pure domain: the review
// aggregate, one per Structured Medication Review (SMR) episode of a
// patient, and the per-medicine recommendations recorded on it.
//
// The shape is the repository's one: EvolveReview folds events into a
// ReviewState and never fails; each command is a function returning a
// decision (state, version) -> (events, error), assignable to
// kit/aggregate.Decide[ReviewState]. Decisions are pure: no I/O, no clock
// (commands carry Now), no directory. Facts from the directory (a practice's
// PCN, a clinician's role, a care home's PCN, prescribing rights) are looked
// up by the API layer and passed in as command fields.
//
// Errors come from kit/domain: Invalid for a bad field (named by its JSON
// name), Refuse for a transition the state does not allow, ErrNotFound for
// a review (or recommendation) that does not exist, ErrAlreadyExists for a
// review identified twice. A command that would change nothing records
// nothing.
//
// The package imports only the standard library, the event contracts and
// kit/domain.
package domain
