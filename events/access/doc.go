// Package access holds the event contracts of the access audit: one
// AccessRecorded for every read or change of a patient's data (who, in which
// role and organisation, which patient, what action on which resource, on
// what basis, allowed or denied, with which HTTP status, request and token),
// and a BreakGlassGranted when someone without a recorded relationship with
// the patient is let in for a while, saying why. Wire names are
// careweave.access.<event>.v<N>.
//
// The records are appended by the service that served the request (kit/audit)
// to its own event log, stream access-<patient>, where the log's triggers
// refuse any UPDATE, DELETE or TRUNCATE; a change's record commits with the
// change, a read's before the response is written. The projections build the
// patient's access log from them (GET /v1/patients/{patient}/access-log).
//
// The envelope's subject is the opaque patient reference, and its area is
// the recording service's name (query, homevisits, ...), so the records
// travel on
//
//	care.access.<service>.p<NN>.access_recorded.v1
//	care.access.<service>.p<NN>.break_glass_granted.v1
//
// and a service's NATS user can be limited to publishing its own
// care.access.<service>.> (Filter): one service cannot forge another's audit
// trail. The partition is the patient's, as for every other event about the
// patient, so a patient's records reach the projector in order.
//
// Caldicott: no NHS number, name, date of birth or clinical term belongs in
// these events. The patient is the opaque reference; the resource is a path
// holding no more than that reference (a segment shaped like an NHS number
// is refused, and so is a query string); the action, role, organisation and
// basis are short tokens. The one free-text field is a break-glass reason,
// in the caller's words: bounded (MaxReasonLen), one line, and refused if it
// holds anything shaped like an NHS number (CheckReason). A name or a
// clinical term typed into it cannot be caught by a rule, so the reason is
// shown only on the patient's access log, to the roles that may read it,
// and never goes into a subject, a log line or a metric. Validate checks
// the rest.
//
// It imports only the standard library and the events module.
package access
