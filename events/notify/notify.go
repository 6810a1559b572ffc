// Package notify holds the event contracts of what Careweave tells people
// outside it: a community team's discharge notices and a clinician's
// assignment notices, under the wire names careweave.notify.<event>.v<N>.
//
// They are thin on purpose: what a team or a device needs to act, and
// references it resolves through the API (the stay, the visit, the opaque
// patient reference) — never the whole record, an NHS number or a name.
// The envelope's area is the recipient's directory id (a team or a
// clinician), so each recipient has subjects of its own:
//
//	care.notify.<team>.p<NN>.discharge_notice.v1
//	care.notify.<clinician>.p<NN>.assignment_notice.v1
//
// and one stream per recipient (feed-<id>) keeps each recipient's notices in
// order. events/asyncapi.json documents them for subscribers.
//
// It imports only the standard library and the events module.
package notify

import (
	"time"

	"github.com/careweave/careweave/events"
)

// Service is the service namespace of these events' wire names.
const Service = "notify"

// Filter is the subject filter of recipient id's notices: what a team's or
// a device gateway's NATS client subscribes to.
func Filter(recipient string) string { return events.FilterArea(Service, recipient) }

// DischargeFilter is the subject filter of team's discharge notices alone,
// without the records of its webhook deliveries.
func DischargeFilter(team string) string {
	return events.SubjectRoot + "." + Service + "." + team + ".*.discharge_notice.>"
}

// FeedStream is the stream holding recipient id's notices, in order.
func FeedStream(recipient string) string { return "feed-" + recipient }

// DischargeKind is what a discharge notice tells a team.
type DischargeKind string

// Discharge notice kinds.
const (
	// DischargeRouted: a discharged patient's follow-up is now this team's.
	DischargeRouted DischargeKind = "routed"
	// DischargeMovedAway: the follow-up moved to another team; this team
	// no longer owes it.
	DischargeMovedAway DischargeKind = "moved-away"
	// DischargeCancelled: the discharge did not happen after all (entered
	// in error, or the patient stayed): the follow-up is void.
	DischargeCancelled DischargeKind = "cancelled"
	// FollowUpCompleted and FollowUpMissed: the team's follow-up was
	// recorded as done, or as not done and why.
	FollowUpCompleted DischargeKind = "follow-up-completed"
	FollowUpMissed    DischargeKind = "follow-up-missed"
)

// DischargeNotice tells a community team about a discharge routed to it,
// or what became of one.
type DischargeNotice struct {
	Team string        `json:"team"`
	Kind DischargeKind `json:"kind"`
	// Stay is the hospital stay, GET /v1/stays/{stay} on the discharge
	// service; Patient the opaque patient reference (the envelope's
	// subject too), resolvable through the patients service.
	Stay         string    `json:"stay"`
	Patient      string    `json:"patient"`
	Pathway      string    `json:"pathway"`
	DischargedAt time.Time `json:"dischargedAt"`
	// DueBy is when the team's follow-up is due.
	DueBy       time.Time `json:"dueBy"`
	Needs       []string  `json:"needs,omitempty"`
	Destination string    `json:"destination,omitempty"`
	CareHome    string    `json:"careHome,omitempty"`
	// Reason is the coded reason of a cancellation or a missed follow-up.
	Reason string `json:"reason,omitempty"`
	// SourceEvent is the discharge service's event this notice reflects.
	SourceEvent string `json:"sourceEvent"`
}

// EventType implements events.Data.
func (DischargeNotice) EventType() string { return "careweave.notify.discharge_notice.v1" }

// AssignmentKind is what an assignment notice tells a clinician.
type AssignmentKind string

// Assignment notice kinds.
const (
	// Assigned: the visit is now this clinician's; they should accept or
	// decline it.
	Assigned AssignmentKind = "assigned"
	// ReassignedAway: the visit moved to someone else.
	ReassignedAway AssignmentKind = "reassigned-away"
	// Retriaged: the visit's urgency or window changed.
	Retriaged AssignmentKind = "retriaged"
	// Withdrawn: the visit was cancelled, escalated or closed without a
	// visit; nobody should go.
	Withdrawn AssignmentKind = "withdrawn"
)

// AssignmentNotice tells a clinician about a home visit assigned to them,
// or what became of one.
type AssignmentNotice struct {
	Clinician string         `json:"clinician"`
	Kind      AssignmentKind `json:"kind"`
	// Visit is GET /v1/visits/{visit} on the home-visits service.
	Visit     string    `json:"visit"`
	Patient   string    `json:"patient"`
	Urgency   string    `json:"urgency,omitempty"`
	NotBefore time.Time `json:"notBefore,omitzero"`
	VisitBy   time.Time `json:"visitBy,omitzero"`
	// Reason is a coded reason for a withdrawal (cancelled, escalated, ...).
	Reason      string `json:"reason,omitempty"`
	SourceEvent string `json:"sourceEvent"`
}

// EventType implements events.Data.
func (AssignmentNotice) EventType() string { return "careweave.notify.assignment_notice.v1" }

// DeliveryState is what became of one attempt to POST a notice to a
// team's webhook.
type DeliveryState string

// Delivery states.
const (
	// Delivered: the endpoint accepted the notice.
	Delivered DeliveryState = "delivered"
	// Failing: the attempt failed; another follows after a backoff.
	Failing DeliveryState = "failing"
	// Dead: the attempt failed and was the last; delivery to the team has
	// stopped until someone asks for redelivery.
	Dead DeliveryState = "dead"
)

// MaxDeliveryErrorLen bounds WebhookDelivery.Error.
const MaxDeliveryErrorLen = 200

// WebhookDelivery records an attempt to deliver a discharge notice to a
// team's webhook, so the discharge worklist shows whether the team has been
// told. It is on the team's subjects (area: the team), in stream
// WebhookStream(team), and never itself POSTed to the webhook.
type WebhookDelivery struct {
	Team  string        `json:"team"`
	State DeliveryState `json:"state"`
	// Sequence is the notice's place in the team's feed (the
	// Careweave-Sequence header it was POSTed with); Notice its event id.
	Sequence int64         `json:"sequence"`
	Notice   string        `json:"notice"`
	Kind     DischargeKind `json:"kind"`
	Stay     string        `json:"stay"`
	Patient  string        `json:"patient"`
	// Attempts counts failed attempts at this notice so far.
	Attempts int `json:"attempts"`
	// Error is why the attempt failed: the endpoint's status line or the
	// transport error, never the endpoint's URL.
	Error string `json:"error,omitempty"`
	// NextAttemptAt is when a failing delivery is tried again.
	NextAttemptAt time.Time `json:"nextAttemptAt,omitzero"`
}

// EventType implements events.Data.
func (WebhookDelivery) EventType() string { return "careweave.notify.webhook_delivery.v1" }

// WebhookStream is the stream holding team's delivery records, in order.
func WebhookStream(team string) string { return "webhook-" + team }

// All returns a zero value of every event type of the service.
func All() []events.Data {
	return []events.Data{DischargeNotice{}, AssignmentNotice{}, WebhookDelivery{}}
}

// Register adds every event type of the service to reg.
func Register(reg *events.Registry) { reg.Register(All()...) }

// Registry returns a new registry holding the service's event types.
func Registry() *events.Registry {
	reg := events.NewRegistry()
	Register(reg)
	return reg
}
