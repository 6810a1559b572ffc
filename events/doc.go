// Package events holds Careweave's event contracts: the CloudEvents-aligned
// envelope every event travels in, the registry that maps stable wire type
// names to Go types (with upcasting of old versions), and the NATS subject
// scheme.
//
// It imports only the standard library, so a subscriber outside Careweave can
// depend on it without pulling in our infrastructure.
package events
