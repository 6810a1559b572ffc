// Command careweave-dev runs the local development stack behind `make run`.
//
// It starts the development token issuer (kit/auth) in-process on
// 127.0.0.1:8079 (-issuer-port, 0 for a random port), NATS with JetStream
// (embedded, or the server named by NATS_URL) and PostgreSQL (a private
// durable cluster, or the database named by DATABASE_URL), builds every
// service and projection command found under services/*/cmd/* and
// projections/*/cmd/*, and runs each as a child process with DATABASE_URL,
// NATS_URL, HTTP_ADDR, LOG_FORMAT and AUTH_ISSUER (with AUTH_AUDIENCE,
// AUTH_JWKS_URL and AUTH_TOKEN_URL to match) set, prefixing every line it
// prints with its name. Data lives under var/ of the repository
// (-data-dir), so a second run finds the streams and tables of the first,
// and the issuer's signing key in var/issuer.pem, so tokens minted before a
// restart still verify after it.
//
// Every service API wants a bearer token from that issuer: `carectl token`
// asks its POST /token for one, finding it in var/stack.env, where
// careweave-dev writes DATABASE_URL, NATS_URL and AUTH_ISSUER while the
// stack runs. The demo seed of the first run acts as the demo PCN's care
// coordinator with a token minted in-process.
//
// Ctrl-C stops the children (SIGTERM, then SIGKILL after -stop-timeout), then
// the issuer, then NATS, then PostgreSQL, and exits 0. A child that exits on
// its own takes the whole stack down with a non-zero exit.
//
// Usage:
//
//	go run ./tools/cmd/careweave-dev [-data-dir DIR] [-issuer-port N] [-nats-port N] [-base-port N] [-log-level LEVEL]
package main
