// Package scenario holds the end-to-end test of the joined-up record: every
// care service, the registry, the projection worker and the query API on
// one JetStream, driven over HTTP as staff would.
package scenario
