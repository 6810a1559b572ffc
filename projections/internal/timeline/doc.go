// Package timeline turns one decoded care event into its effects on
// patients' care timelines: the entries it adds (one per patient it
// concerns) and the marks it puts on earlier entries (retracted, superseded,
// withdrawn, rejected, accepted). It is pure: no I/O, no clock, no state
// between calls. The projection worker applies an Effect to PostgreSQL in
// the transaction that records the event id, so redelivery changes nothing;
// a rebuild that replays the same events gets the same timeline.
//
// Summaries are plain English for a care coordinator. They never carry an
// NHS number, a name or a date of birth (events carry none, and free text is
// scrubbed of anything that looks like an NHS number); clinicians, teams,
// care homes, practices and pharmacies appear as the ids and ODS codes the
// events give. Times are shown in Europe/London, always naming the zone, so
// an entry on the night the clocks change cannot be misread.
//
// Nothing is ever removed from a timeline. A cancelled discharge (HL7 ADT
// A13) is an entry of its own and marks the discharge and everything that
// hung on it as retracted; a recommendation is shown as recommended until a
// prescriber's decision marks it accepted or rejected; a re-triage, a
// reassignment, a rebooking or a revised plan supersedes what it replaces.
package timeline
