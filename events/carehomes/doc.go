// Package carehomes holds the event contracts of the carehomes service: the
// Enhanced Health in Care Homes (EHCH) framework's weekly multidisciplinary
// round and each resident's residency in a home, with the national clock for
// a holistic assessment and a Personalised Care and Support Plan (PCSP)
// within 7 working days of (re)admission.
//
// Wire type names are written by hand (careweave.carehomes.<event>.v1) and
// never derived from Go type names. No event carries an NHS number, a name,
// a date of birth or an address: patients are opaque references, clinicians,
// care homes and teams are directory ids, and areas are PCN ODS codes.
//
// Two streams, two routing shapes:
//
//   - A residency is about one patient: its envelopes carry the patient
//     reference as subject, and every event repeats it in Patient.
//   - A round is about many patients: its envelopes have an empty subject
//     (so they are ordered by stream), and every per-resident event
//     (nomination, outcome, action) carries the patient reference in
//     Patient. Consumers building a patient's timeline must read it from the
//     data, not from the envelope subject. Every round event embeds RoundRef,
//     so an entry can be written without looking the round up.
//
// It imports only the standard library and the events package, so an outside
// subscriber can depend on it.
package carehomes
