// Package homevisits is the home-visits service: a request for a home visit
// from the practice's phone line, online form, a care home or 111, through
// the duty GP's triage and assignment to a visiting clinician, to how the
// visit ended. Its one aggregate, the visit, is event-sourced (domain in
// internal/domain, events in events/homevisits); internal/api is its HTTP
// adapter and cmd/homevisits its process.
package homevisits
