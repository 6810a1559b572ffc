// Command writebench is the load generator behind `make bench`. It measures
// what Careweave's write path costs against a raw baseline measured in the
// same run, and prints each figure beside its baseline as a ratio:
//
//  1. Append throughput: eventstore.Append with 1, 8 and 16 writers, one
//     event per transaction and batches of 100, against a bare INSERT of the
//     same rows into a table of identical definition.
//  2. Publication throughput: the relay draining N preloaded events into
//     JetStream, against a raw async JetStream publish of the same payloads
//     into a stream of identical configuration, for two layouts of the
//     events in commit order (patients interleaved, and runs of one stream).
//  3. Commit-to-JetStream lag at a fixed append rate with the relay running,
//     checked for missing and duplicated events, against a dual write
//     (append, then publish directly) at the same rate.
//
// `make bench` runs
//
//	go run ./tools/cmd/testenv -durable -- go run ./tools/cmd/writebench
//
// so DATABASE_URL names a private durable PostgreSQL cluster (fsync on).
// writebench starts an embedded NATS server with JetStream in a temporary
// directory on a random port unless NATS_URL is set; an external server gets
// synthetic events in its CARE stream, so point NATS_URL only at a throwaway
// one. Every table lives in a fresh schema that is dropped afterwards.
//
// Results go to standard output as Markdown, ready for docs/benchmarks.md;
// progress goes to standard error once a second. Each run records how much
// CPU other processes used, and marks figures taken while the machine was
// busy; -repeat N measures each append case N times and leaves noisy pairs
// out. -quick runs a short smoke test; -cpuprofile writes a Go CPU profile.
// The exit status is 1 if any event was lost or duplicated.
package main
