// Package httpkit is the HTTP plumbing every Careweave API shares: the
// closed set of error kinds and their mapping to status codes (in exactly one
// place), RFC 9457 problem+json responses with field-level reasons, strict
// JSON request decoding, health and readiness endpoints, request ids and
// access logs, and a server that shuts down gracefully.
package httpkit
