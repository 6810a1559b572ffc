// Package medreviews holds the event contracts of the medreviews service:
// Structured Medication Reviews (SMR), one review per SMR episode of a
// patient, from the candidate being identified for a priority cohort to the
// prescriber's decision on each recommended medicine change.
//
// Every event is about one patient: the envelope's subject is the opaque
// patient reference and its area the PCN's ODS code. No event carries an NHS
// number, a name, a date of birth or an address; clinicians, practices and
// care homes appear by directory id or ODS code.
//
// Recommended and enacted are different facts (FIELD-NOTES §1, DCB0129): a
// RecommendationRecorded never means the GP record changed; only a later
// RecommendationAccepted, decided by a prescriber, says it was enacted.
//
// The package imports only the standard library and the events module, so a
// subscriber outside Careweave can depend on it.
package medreviews
