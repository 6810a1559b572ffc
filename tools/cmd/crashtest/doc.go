// Command crashtest proves that Careweave loses and repeats nothing when its
// processes die: it runs the whole stack, drives it with the PCN workload
// (tools/cmd/loadgen), and while the load runs kills -9 each kind of process
// in turn — a service (homevisits), a service with its relay mid-publish
// (discharge: the relay runs in the service's process), the projection
// worker, NATS, and PostgreSQL — restarting each as an orchestrator would.
// The run passes only if loadgen's verification does: every accepted
// command's events in the right patient's timeline, exactly once, in order.
//
// It owns every process it kills:
//
//   - PostgreSQL: a private durable cluster (kit/pgcluster) in a temporary
//     directory; after kill -9 of the postmaster it is started again on its
//     port (crash recovery replays the WAL).
//   - NATS: nats-server built from the nats-server module we embed elsewhere,
//     run as a child with JetStream in the temporary directory, started again
//     on the same port and store after kill -9.
//   - The services and projection workers: careweave-dev -restart, which
//     starts a child again when it dies.
//
// Usage:
//
//	go run ./tools/cmd/crashtest [-duration 2m] [-rate 100] [-patients 2000] [-kill-every 15s] [-victims homevisits,discharge,projector,nats,postgres] [-keep] [-- loadgen flags]
//
// `make crashtest` runs the full version; CI runs a short one
// (crashtest_test.go). Progress and every kill, with how long the victim took
// to serve again, go to standard error; loadgen's report to standard output.
// The exit status is loadgen's: 0 when verification passed, 1 otherwise.
package main
