// Package api is the notify service's HTTP adapter for a clinician's
// device: the visits the clinician holds now, for a fresh start, and a live
// feed (Server-Sent Events) of their assignment notices that resumes with
// Last-Event-ID.
//
// Both read what the feed consumer (internal/feed) commits: the holdings
// table and the clinician's feed stream in this service's event log. A
// notice and the holding it changes commit in one transaction, and each
// feed's versions commit in order (the consumer appends under a lock per
// stream), so a list read in one snapshot agrees with the feed version it
// reports, and a feed read from version n onwards skips nothing.
//
// Who may. Every handler asks internal/policy, with the caller's token and
// the directory's facts about the clinician or team in the path, before it
// reads or changes anything: a refusal is 403 problem+json naming the
// reason, and changes nothing.
//
// What is recorded. Every patient a clinician's current assignments or live
// feed shows is put on the patient's audit trail (audit.go), with the
// policy's basis, before it is shown: the list's patients in one
// transaction before it is answered, the feed's once per connection (what
// it sends first before the response starts, a later notice about a new
// patient before it is sent). A refusal names no patient and is only
// logged; webhook administration shows no patient data and records
// nothing.
package api
