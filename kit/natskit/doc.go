// Package natskit connects to NATS and declares Careweave's JetStream
// topology in code: the CARE event stream, the poison stream, and durable
// consumers, each created or updated idempotently at start-up.
package natskit
