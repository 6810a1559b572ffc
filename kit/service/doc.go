// Package service is the runtime every Careweave service process shares:
// it opens PostgreSQL and applies the migrations, connects to NATS (with the
// process's own credentials, TLS and inbox prefix when it has them) and
// declares the JetStream topology (or, signed in as a user of its own,
// checks the one an administrator declared), runs the relay that publishes the
// service's committed events, and serves the service's HTTP API beside
// /healthz, /readyz, /relayz and /metrics, shutting all of it down
// gracefully. A service's cmd/ only parses its Config and hands over its
// routes.
package service
