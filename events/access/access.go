package access

import (
	"strings"
	"time"

	"github.com/careweave/careweave/events"
)

// Service is the service namespace of these events' wire names.
const Service = "access"

// Stream is the stream holding patient's audit records, in the order the
// recording service committed them.
func Stream(patient string) string { return "access-" + patient }

// Filter is the subject filter of the audit records one service recorded:
// what that service's NATS user may publish.
func Filter(service string) string { return events.FilterArea(Service, service) }

// MaxResourceLen bounds AccessRecorded.Resource.
const MaxResourceLen = 256

// AccessRecorded records one read or change of a patient's data, allowed or
// denied. When it happened is the envelope's time; the recording service is
// the envelope's area.
type AccessRecorded struct {
	// Patient is the opaque patient reference (the envelope's subject too).
	Patient string `json:"patient"`
	// ActorID, Role, Org, PCN and Team are the caller as its verified token
	// names it: directory id, role, organisation (ODS code or directory id),
	// the PCN and community team it works in.
	ActorID string `json:"actorId"`
	Role    string `json:"role"`
	Org     string `json:"org,omitempty"`
	PCN     string `json:"pcn,omitempty"`
	Team    string `json:"team,omitempty"`
	// Action is what was done: read-timeline, change:<event type>, ...
	Action Action `json:"action"`
	// Resource is the path acted on, e.g. /v1/patients/<ref>/timeline: no
	// query string, no patient data beyond the opaque reference.
	Resource string `json:"resource"`
	// Basis is the relationship, break-glass, or none (a denial).
	Basis Basis `json:"basis"`
	// Reason is the break-glass reason, in the caller's words, when one
	// was given (CheckReason).
	Reason  string  `json:"reason,omitempty"`
	Outcome Outcome `json:"outcome"`
	// Status is the HTTP status the request was answered with.
	Status int `json:"status"`
	// RequestID is the request's X-Request-Id; TokenID the token's jti.
	RequestID string `json:"requestId"`
	TokenID   string `json:"tokenId,omitempty"`
}

// EventType implements events.Data.
func (AccessRecorded) EventType() string { return "careweave.access.access_recorded.v1" }

// Validate returns a *events.FieldError naming the first field that is
// wrong, or nil.
func (e AccessRecorded) Validate() error {
	if err := validPerson(e.Patient, e.ActorID, e.Role, e.Org); err != nil {
		return err
	}
	switch {
	case e.PCN != "" && !isToken(e.PCN, events.MaxAreaLen):
		return bad("pcn", "must be an ODS code or directory id of 1-64 letters, digits, '-' or '_'")
	case e.Team != "" && !isToken(e.Team, events.MaxAreaLen):
		return bad("team", "must be a directory id of 1-64 letters, digits, '-' or '_'")
	case !e.Action.Valid():
		return bad("action", "must be a lower-case token such as read-timeline, or change:<event type>")
	}
	if reason := resourceProblem(e.Resource); reason != "" {
		return bad("resource", reason)
	}
	switch {
	case !e.Basis.Valid():
		return bad("basis", `must be "break-glass", "none" or "relationship:<kind>"`)
	case e.Reason != "" && CheckReason(e.Reason) != nil:
		return bad("reason", CheckReason(e.Reason).Error())
	case !e.Outcome.Valid():
		return bad("outcome", `must be "allowed" or "denied"`)
	case e.Outcome == Allowed && e.Basis == NoBasis:
		return bad("basis", "an allowed access needs a relationship or break-glass")
	case e.Outcome == Allowed && e.Basis == BreakGlass && e.Reason == "":
		return bad("reason", "is required when the glass was broken")
	case e.Status < 100 || e.Status > 599:
		return bad("status", "must be an HTTP status")
	case !isPrintable(e.RequestID, 128):
		return bad("requestId", "is required: 1-128 printable ASCII characters without spaces")
	case e.TokenID != "" && !isPrintable(e.TokenID, 128):
		return bad("tokenId", "must be 1-128 printable ASCII characters without spaces")
	}
	return nil
}

// BreakGlassGranted records that someone without a recorded relationship
// with the patient was let in, for a reason, until a time. Each access
// while it lasts is an AccessRecorded with basis break-glass.
type BreakGlassGranted struct {
	Patient string `json:"patient"`
	ActorID string `json:"actorId"`
	Role    string `json:"role"`
	Org     string `json:"org,omitempty"`
	// Reason is why, in the caller's words (CheckReason).
	Reason string `json:"reason"`
	// Until is when the grant lapses.
	Until time.Time `json:"until"`
}

// EventType implements events.Data.
func (BreakGlassGranted) EventType() string { return "careweave.access.break_glass_granted.v1" }

// Validate returns a *events.FieldError naming the first field that is
// wrong, or nil.
func (e BreakGlassGranted) Validate() error {
	if err := validPerson(e.Patient, e.ActorID, e.Role, e.Org); err != nil {
		return err
	}
	if err := CheckReason(e.Reason); err != nil {
		return bad("reason", err.Error())
	}
	if e.Until.IsZero() {
		return bad("until", "is required")
	}
	return nil
}

// All returns a zero value of every event type of the package.
func All() []events.Data { return []events.Data{AccessRecorded{}, BreakGlassGranted{}} }

// Register adds every event type of the package to reg.
func Register(reg *events.Registry) { reg.Register(All()...) }

// Registry returns a new registry holding the package's event types.
func Registry() *events.Registry {
	reg := events.NewRegistry()
	Register(reg)
	return reg
}

func bad(field, reason string) *events.FieldError {
	return &events.FieldError{Field: field, Reason: reason}
}

// validPerson checks the fields both events share: the patient and the
// caller, with the envelope's own rules for an actor.
func validPerson(patient, actorID, role, org string) error {
	switch {
	case !isToken(patient, 64):
		return bad("patient", "is required: the opaque patient reference")
	case nhsShaped(patient):
		return bad("patient", "must be the opaque patient reference, not an NHS number")
	}
	env := events.Envelope{ActorID: actorID, ActorRole: role, ActorOrg: org}
	if err := env.ValidateActor(); err != nil {
		field := map[string]string{"actorid": "actorId", "actorrole": "role", "actororg": "org"}[err.Field]
		return bad(field, err.Reason)
	}
	return nil
}

// resourceProblem says what is wrong with a resource path, or "".
func resourceProblem(p string) string {
	if len(p) < 2 || len(p) > MaxResourceLen || p[0] != '/' {
		return "is required: a path of at most 256 characters, such as /v1/patients/<ref>/timeline"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '-' || c == '_' || c == '.') {
			return "may hold only letters, digits, '/', '-', '_' and '.': no query string"
		}
	}
	for _, seg := range strings.Split(p[1:], "/") {
		switch {
		case seg == "" || seg == "." || seg == "..":
			return "must not have empty, . or .. segments"
		case nhsShaped(seg):
			return "must not hold an NHS number: name the patient by the opaque reference"
		}
	}
	return ""
}

// nhsShaped reports whether s is ten digits: an NHS number, whatever its
// check digit says.
func nhsShaped(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isToken(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// isPrintable reports whether s is 1..max printable ASCII characters
// without spaces.
func isPrintable(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > 0x7e {
			return false
		}
	}
	return true
}
