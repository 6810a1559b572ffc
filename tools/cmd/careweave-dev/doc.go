// Command careweave-dev runs the local development stack behind `make run`.
//
// It starts the development token issuer (kit/auth) in-process on
// 127.0.0.1:8079 (-issuer-port, 0 for a random port), NATS with JetStream
// (embedded, or the server named by NATS_URL) and PostgreSQL (a private
// durable cluster, or the database named by DATABASE_URL), builds every
// service and projection command found under services/*/cmd/* and
// projections/*/cmd/*, and runs each as a child process with DATABASE_URL,
// NATS_URL, HTTP_ADDR, LOG_FORMAT, AUTH_ISSUER (with AUTH_AUDIENCE,
// AUTH_JWKS_URL and AUTH_TOKEN_URL to match), every other's URL as
// <NAME>_URL, BREAK_GLASS_URL (the query API, whose break-glass grants the
// services honour) and its NATS credentials set, prefixing every line it prints with its name. Data lives under var/ of
// the repository (-data-dir), so a second run finds the streams and tables
// of the first, and the issuer's signing key in var/issuer.pem, so tokens
// minted before a restart still verify after it.
//
// The embedded NATS runs as production does (deploy/nats): clients must use
// TLS, and it accepts only the users of kit/natsauth made from the directory
// (DIRECTORY_FILE, -directory; default the demo) — one per service, the
// projector, the query API, the administrator, each community team and each
// clinician's device gateway — each signing in with its own nkey and held
// to its own subjects. The seeds are kept in var/nats-auth/<user>.nk and a
// development CA with the server's certificate in var/nats-tls/
// (natsembed.EnsureDevCertificates), both kept across runs. Before starting
// the children careweave-dev signs in as admin and provisions the streams,
// the projector's and notify's consumers (which their users may only bind
// to) and every team's subscription sub-<team> (tools/internal/provision).
// Each child gets NATS_NKEY_SEED_FILE=var/nats-auth/<name>.nk,
// NATS_INBOX_PREFIX=_INBOX.<name> and NATS_CA_FILE; every NATS_* setting is
// given, so one left in the shell cannot change them.
//
// With NATS_URL the server is someone else's. Without credentials it is used
// as before: each component provisions the streams and its consumers itself.
// With NATS_SEEDS_DIR (-nats-seeds: a seed directory as tools/cmd/natsconfig
// makes it) careweave-dev signs in as admin and provisions, and each child
// gets its own seed from there; NATS_CA_FILE, NATS_CERT_FILE and
// NATS_KEY_FILE (TLS) are passed on to every child. NATS_STREAM_REPLICAS and
// NATS_DUPLICATE_WINDOW size the streams, as the children read them.
//
// Every service API wants a bearer token from that issuer: `carectl token`
// asks its POST /token for one, finding it in var/stack.env, where
// careweave-dev writes DATABASE_URL, NATS_URL, AUTH_ISSUER, NATS_SEEDS_DIR
// and NATS_CA_FILE while the stack runs, so carectl signs in to NATS as the
// user it acts for. The demo seed of the first run acts as the demo PCN's
// care coordinator with a token minted in-process.
//
// Ctrl-C stops the children (SIGTERM, then SIGKILL after -stop-timeout), then
// the issuer, then NATS, then PostgreSQL, and exits 0. A child that exits on
// its own takes the whole stack down with a non-zero exit, unless -restart
// is given: then it is started again, as an orchestrator's restart policy
// would (at once after a process that ran a while, with a growing delay up
// to 5 s while it keeps dying young) — what the crash test (tools/cmd/
// crashtest) relies on when it kills processes.
//
// Usage:
//
//	go run ./tools/cmd/careweave-dev [-data-dir DIR] [-directory FILE] [-issuer-port N] [-nats-port N] [-base-port N] [-restart] [-log-level LEVEL]
package main
