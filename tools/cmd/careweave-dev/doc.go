// Command careweave-dev runs the local development stack behind `make run`.
//
// It starts NATS with JetStream (embedded, or the server named by NATS_URL)
// and PostgreSQL (a private durable cluster, or the database named by
// DATABASE_URL), builds every service and projection command found under
// services/*/cmd/* and projections/*/cmd/*, and runs each as a child process
// with DATABASE_URL, NATS_URL, HTTP_ADDR and LOG_FORMAT set, prefixing every
// line it prints with its name. Data lives under var/ of the repository
// (-data-dir), so a second run finds the streams and tables of the first.
//
// Ctrl-C stops the children (SIGTERM, then SIGKILL after -stop-timeout), then
// NATS, then PostgreSQL, and exits 0. A child that exits on its own takes the
// whole stack down with a non-zero exit.
//
// Usage:
//
//	go run ./tools/cmd/careweave-dev [-data-dir DIR] [-nats-port N] [-base-port N] [-log-level LEVEL]
package main
