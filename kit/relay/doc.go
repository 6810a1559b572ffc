// Package relay publishes a service's committed events to NATS JetStream.
//
// It tails the event log through the store's commit-order cursor, so only
// what PostgreSQL committed is ever published (no dual writes), in commit
// order, one relay per service at a time (a PostgreSQL advisory lock elects
// the leader). Each message carries Nats-Msg-Id = event id, so when a relay
// dies between publishing and saving its cursor, the republished events are
// dropped by JetStream's duplicate window. While NATS is unreachable, appends
// carry on and the relay retries with exponential backoff; nothing is lost
// because PostgreSQL is the source of truth.
package relay
