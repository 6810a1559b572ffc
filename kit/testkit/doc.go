// Package testkit gives tests real infrastructure: an isolated PostgreSQL
// schema per test on the cluster named by DATABASE_URL (or a private cluster
// started for the test binary), and an in-process NATS JetStream server per
// test on a random port with its store in t.TempDir().
package testkit
