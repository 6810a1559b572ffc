package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SpecVersion is the CloudEvents specification version of the envelope.
const SpecVersion = "1.0"

// ContentType is the media type of an encoded envelope (CloudEvents
// structured mode); it is also the NATS Content-Type header we publish with.
const ContentType = "application/cloudevents+json"

// MaxEncodedSize bounds one encoded envelope. It sits well below NATS's
// default 1 MiB max_payload so a committed event can always be published.
const MaxEncodedSize = 256 << 10

// Envelope is one event as stored and as published: CloudEvents 1.0
// attributes, Careweave's extension attributes, and the event data.
//
// Extension attribute names follow CloudEvents' rules (lower-case letters and
// digits only), so the actor is flattened into actorid/actorrole/actororg.
type Envelope struct {
	SpecVersion     string    `json:"specversion"`
	ID              ID        `json:"id"`
	Source          string    `json:"source"` // "/careweave/<service>"
	Type            string    `json:"type"`   // e.g. "careweave.discharge.patient_discharged.v1"
	Subject         string    `json:"subject,omitempty"`
	Time            time.Time `json:"time"`
	DataContentType string    `json:"datacontenttype"`

	// SchemaVersion repeats the version in Type so a reader can branch on it
	// without parsing the name.
	SchemaVersion int `json:"schemaversion"`
	// CorrelationID ties together everything one user action caused;
	// CausationID names the command or event that directly caused this one.
	CorrelationID string `json:"correlationid"`
	CausationID   string `json:"causationid,omitempty"`
	// Actor: who did it, in which role, for which organisation (ODS code).
	ActorID   string `json:"actorid"`
	ActorRole string `json:"actorrole"`
	ActorOrg  string `json:"actororg,omitempty"`
	// Area is the routing token of the organisation or person the event
	// belongs to (a PCN's ODS code; for a notice, the recipient team's or
	// clinician's directory id), so subscribers can take their own only.
	Area string `json:"area"`
	// StreamID and StreamVersion place the event in its aggregate's history.
	StreamID      string `json:"streamid"`
	StreamVersion int64  `json:"streamversion"`

	Data json.RawMessage `json:"data"`
}

// Actor identifies who caused an event.
type Actor struct {
	ID   string
	Role string
	Org  string
}

// Actor returns the envelope's actor attributes.
func (e Envelope) Actor() Actor { return Actor{ID: e.ActorID, Role: e.ActorRole, Org: e.ActorOrg} }

// Service returns the service namespace of the event's type.
func (e Envelope) Service() string {
	t, err := ParseTypeName(e.Type)
	if err != nil {
		return ""
	}
	return t.Service
}

// PartitionKey is what orders events: the patient when there is one, else
// the aggregate stream.
func (e Envelope) PartitionKey() string {
	if e.Subject != "" {
		return e.Subject
	}
	return e.StreamID
}

// FieldError says which envelope attribute is wrong and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return "event " + e.Field + ": " + e.Reason }

// ErrMalformed is wrapped by every decoding failure, so consumers can tell a
// poison message from a transient failure with errors.Is.
var ErrMalformed = errors.New("malformed event")

// Validate checks every attribute and returns a *FieldError for the first
// one that is wrong. Data must be a JSON object.
func (e *Envelope) Validate() error { return e.validate(true) }

// validate checks the attributes; Encode skips the full scan of data,
// because encoding compacts (and so validates) it anyway.
func (e *Envelope) validate(scanData bool) error {
	if e.SpecVersion != SpecVersion {
		return &FieldError{"specversion", fmt.Sprintf("must be %q", SpecVersion)}
	}
	if e.ID.IsZero() {
		return &FieldError{"id", "is required"}
	}
	tn, err := ParseTypeName(e.Type)
	if err != nil {
		return &FieldError{"type", err.Error()}
	}
	if want := SourceFor(tn.Service); e.Source != want {
		return &FieldError{"source", fmt.Sprintf("must be %q for type %q", want, e.Type)}
	}
	if e.SchemaVersion != tn.Version {
		return &FieldError{"schemaversion", fmt.Sprintf("must equal the version in type (%d)", tn.Version)}
	}
	if e.Subject != "" && !isToken(e.Subject, 64) {
		return &FieldError{"subject", "must be an opaque reference of 1-64 letters, digits, '-' or '_'"}
	}
	if e.Time.IsZero() {
		return &FieldError{"time", "is required"}
	}
	if e.DataContentType != "application/json" {
		return &FieldError{"datacontenttype", `must be "application/json"`}
	}
	if !isPrintable(e.CorrelationID, 128) {
		return &FieldError{"correlationid", "is required: 1-128 printable ASCII characters"}
	}
	if e.CausationID != "" && !isPrintable(e.CausationID, 128) {
		return &FieldError{"causationid", "must be 1-128 printable ASCII characters"}
	}
	if err := e.ValidateActor(); err != nil {
		return err
	}
	if !isToken(e.Area, MaxAreaLen) {
		return &FieldError{"area", "is required: a routing token (an ODS code or a directory id) of 1-64 letters, digits, '-' or '_'"}
	}
	if !isPrintable(e.StreamID, 200) || strings.ContainsAny(e.StreamID, " ") {
		return &FieldError{"streamid", "is required: 1-200 printable ASCII characters without spaces"}
	}
	if e.StreamVersion < 1 {
		return &FieldError{"streamversion", "must be 1 or more"}
	}
	if d := bytes.TrimLeft(e.Data, " \t\r\n"); len(d) == 0 || d[0] != '{' || (scanData && !json.Valid(d)) {
		return &FieldError{"data", "must be a JSON object"}
	}
	return nil
}

// ValidateActor checks the actor attributes alone, for edges that take an
// actor before any event exists.
func (e *Envelope) ValidateActor() *FieldError {
	if !isPrintable(e.ActorID, 128) {
		return &FieldError{"actorid", "is required: 1-128 printable ASCII characters"}
	}
	if !isToken(e.ActorRole, 64) {
		return &FieldError{"actorrole", "is required: 1-64 letters, digits, '-' or '_'"}
	}
	if e.ActorOrg != "" && !isToken(e.ActorOrg, 16) {
		return &FieldError{"actororg", "must be an ODS code of 1-16 letters or digits"}
	}
	return nil
}

// Encode validates the envelope and returns its JSON form.
func (e *Envelope) Encode() ([]byte, error) {
	if err := e.validate(false); err != nil {
		return nil, err
	}
	b, err := e.appendJSON(make([]byte, 0, 512+len(e.Data)))
	if err != nil {
		return nil, &FieldError{"data", "must be a JSON object"}
	}
	if len(b) > MaxEncodedSize {
		return nil, &FieldError{"data", fmt.Sprintf("encoded event is %d bytes; the limit is %d", len(b), MaxEncodedSize)}
	}
	return b, nil
}

// Decode parses and validates an encoded envelope. Unknown extension
// attributes are ignored (a tolerant reader); every failure wraps
// ErrMalformed.
func Decode(b []byte) (Envelope, error) {
	var e Envelope
	if len(b) > MaxEncodedSize {
		return e, fmt.Errorf("%w: %d bytes exceeds the %d-byte limit", ErrMalformed, len(b), MaxEncodedSize)
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := e.Validate(); err != nil {
		return Envelope{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return e, nil
}

// isToken reports whether s is 1..max characters of [A-Za-z0-9_-]: safe as a
// NATS subject token and in logs.
func isToken(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isPrintable(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
