// Package kit is the shared kit every Careweave service and projection
// worker is built from: the PostgreSQL event store, the relay that publishes
// committed events to NATS JetStream, JetStream provisioning, the watermill
// consumer kit, and PostgreSQL, HTTP and configuration plumbing. One home for
// each concept; services never copy these pieces.
package kit
