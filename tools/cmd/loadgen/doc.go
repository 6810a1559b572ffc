// Command loadgen drives the running Careweave dev stack (make run) with a
// Primary Care Network's workload through its public HTTP APIs, measures
// it, and verifies that every accepted command's events reached the right
// patient's timeline exactly once and in order.
//
// It signs in as the people of the demo PCN (kit/directory): a token from
// the development issuer (AUTH_ISSUER, found in var/stack.env) for the care
// coordinator, each GP, pharmacist and visiting clinician, the trust's
// discharge coordinator and a member of each community team, and every
// command goes as the person who would send it.
//
// Setup (not measured, with progress): -patients synthetic patients are
// registered in the registry — patient i has the i-th valid NHS number
// (Modulus 11) from 999 200 0000 up, in the never-issued 999 range, with
// invented names; a second run finds them registered — and about one in
// twenty is admitted to one of the PCN's three care homes (up to their
// beds).
//
// The workload (repeatable with -seed) is journeys, each a short sequence
// of commands for one patient, sent one after another: a patient is in one
// journey at a time and has one command in flight at most, so the order
// their entries must appear in is well defined. Of every hundred journeys:
//
//   - 30 hospital discharges: admission, discharge plan, discharge on
//     pathway P0 (50 %), P1 (45 %), P2 (4 %) or P3 (1 %); P0 closes with
//     the summary; P1–P3 route a community follow-up to a team, half refer
//     to the Discharge Medicines Service, then the summary and the team's
//     completion of the follow-up;
//   - 40 home visits: request, GP triage (one in ten without a visit),
//     assignment, the clinician's accept, en route, on site, complete;
//   - 25 structured medication reviews: candidate, invitation, review,
//     one to three recommendations, a GP's decision on each;
//   - 5 weekly care-home rounds: scheduled, two to five residents
//     nominated, held, each reviewed (or not), an action raised, closed.
//
// With -rate N (default 200) commands are due at N per second, open loop:
// latency is also measured from when a command was due, so waiting for a
// free slot (-workers in flight at most) counts. With -rate 0, -workers
// workers send as fast as the stack answers. Progress goes to stderr once
// a second.
//
// Measured: accepted commands/s; the HTTP round trip of each command
// (p50/p95/p99); end-to-end latency, from a command's answer to its entries
// on the patient's timeline (query API), for a -e2e-sample fraction of
// commands, followed on the timeline's live feed (Server-Sent Events): one
// feed per followed patient, open while it has commands pending and closed
// after 5 s idle, 200 open at most (a command beyond is counted as not
// followed), resumed with Last-Event-ID when it drops. Every read is an
// audited access, an event the projector applies too, and a feed is one
// access for as long as it is open, so following does not load what it
// measures, as polling did; relay lag (/relayz) and projection lag (now minus
// the freshness the query API reports for a recently touched patient's
// partition) once a second while commands are sent; the RSS of every stack
// process (found through the sockets listening on the services' ports, and
// their parent careweave-dev) after -warmup, at the end, the peak seen and
// VmHWM. A Markdown table goes to stdout, everything to -out (JSON).
//
// Verification always runs: loadgen waits (up to -catch-up, with progress)
// until every touched patient's timeline holds the run's entries, reads
// each whole timeline and compares it with the ledger of accepted commands
// (patient, aggregate, the event types each command documents; the ETag
// says how many events each recorded). A lost, duplicated, misplaced or
// reordered entry fails the run: exit status 1, and the first differences
// listed. Aggregates a command may or may not have changed (no answer, a
// 5xx) are left out and counted.
//
// Usage:
//
//	go run ./tools/cmd/loadgen [-rate 200] [-duration 60s] [-patients 40000] [-seed 1] [-workers 64] [-e2e-sample 0.05] [-out loadgen-results.json]
//	go run ./tools/cmd/loadgen -rate 0 -workers 2 -duration 30s    # as fast as it goes
//
// A command that fails (refused, or no answer within -timeout, default
// 10 s) ends its journey; more than -max-failed (1 %) of them fails the run.
// Patients keep their state across runs: a journey abandoned by a failure
// can leave, say, an open medication review, and the next run's review for
// that patient is then refused (409) and counted as failed.
//
// Exit status: 0 passed, 1 failed (or verification found a difference), 2
// bad usage. No NHS number or name is ever logged: patients appear only as
// the registry's opaque references.
package main
