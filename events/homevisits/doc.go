// Package homevisits holds the event contracts of the home-visits service:
// one aggregate, the visit, from the request through GP triage, assignment
// to a visiting clinician, travel and arrival, to one of its ends
// (completed, no access, cancelled, escalated, or closed at triage because no
// visit is needed).
//
// Every event is about one patient, who is the envelope's subject (an opaque
// reference, never an NHS number); the visit is the envelope's stream
// ("visit-<id>") and the routing area is the PCN's ODS code. No event carries
// a name, NHS number, date of birth or address: clinicians are named by
// directory id, practices and PCNs by ODS code, care homes by directory id.
// Free-text fields (reasons, notes) are clinical text entered by staff.
//
// Events carry what a consumer needs to build a timeline entry or a worklist
// without calling back: who acted and in which role, the urgency band and the
// visit window, outcomes and reasons, and, on events that stand a clinician
// down (cancel, escalate, re-triage), the clinician who was assigned.
//
// It imports only the standard library and the events package, so
// projections and other services can depend on it.
package homevisits
