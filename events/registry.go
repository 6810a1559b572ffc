package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Data is the payload of one event type. EventType returns the wire type
// name, written out as a constant by hand (see TypeName).
type Data interface {
	EventType() string
}

// Metadata is what a command handler knows about the event it records; the
// event store fills in StreamID and StreamVersion at append.
type Metadata struct {
	ID            ID
	Time          time.Time
	Subject       string // opaque patient reference, when the event is about a patient
	Area          string
	CorrelationID string
	CausationID   string
	Actor         Actor
}

// New builds the envelope for data. It does not validate stream placement;
// the event store does that when it appends.
func New(data Data, m Metadata) (Envelope, error) {
	tn, err := ParseTypeName(data.EventType())
	if err != nil {
		return Envelope{}, fmt.Errorf("event type of %T: %w", data, err)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return Envelope{}, fmt.Errorf("encode %s: %w", tn, err)
	}
	return Envelope{
		SpecVersion:     SpecVersion,
		ID:              m.ID,
		Source:          SourceFor(tn.Service),
		Type:            tn.String(),
		Subject:         m.Subject,
		Time:            m.Time.UTC(),
		DataContentType: "application/json",
		SchemaVersion:   tn.Version,
		CorrelationID:   m.CorrelationID,
		CausationID:     m.CausationID,
		ActorID:         m.Actor.ID,
		ActorRole:       m.Actor.Role,
		ActorOrg:        m.Actor.Org,
		Area:            m.Area,
		Data:            raw,
	}, nil
}

// Upcaster turns the data of an old event version into the next version's.
// It returns the new type name and data; the registry keeps applying
// upcasters until it reaches a registered type.
type Upcaster func(data json.RawMessage) (newType string, newData json.RawMessage, err error)

// ErrUnknownType is returned by Decode for a type nobody registered and no
// upcaster leads from.
var ErrUnknownType = errors.New("unknown event type")

// Registry maps wire type names to Go types. Build it once at start-up; it is
// safe for concurrent reads afterwards.
type Registry struct {
	types     map[string]reflect.Type
	upcasters map[string]Upcaster
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{types: map[string]reflect.Type{}, upcasters: map[string]Upcaster{}}
}

// Register adds event types, given as zero values of non-pointer structs.
// It panics on a bad or duplicate name: that is a programming error caught
// by the first test that builds the registry.
func (r *Registry) Register(protos ...Data) {
	for _, p := range protos {
		t := reflect.TypeOf(p)
		if t.Kind() != reflect.Struct {
			panic(fmt.Sprintf("events: register %T: want a struct value", p))
		}
		name := p.EventType()
		if _, err := ParseTypeName(name); err != nil {
			panic(fmt.Sprintf("events: register %T as %q: %v", p, name, err))
		}
		if _, dup := r.types[name]; dup {
			panic(fmt.Sprintf("events: %q registered twice", name))
		}
		r.types[name] = t
	}
}

// RegisterUpcaster adds the step that upgrades events of type from.
func (r *Registry) RegisterUpcaster(from string, up Upcaster) {
	if _, err := ParseTypeName(from); err != nil {
		panic(fmt.Sprintf("events: upcaster from %q: %v", from, err))
	}
	if _, dup := r.upcasters[from]; dup {
		panic(fmt.Sprintf("events: two upcasters from %q", from))
	}
	r.upcasters[from] = up
}

// Types returns the registered type names.
func (r *Registry) Types() []string {
	names := make([]string, 0, len(r.types))
	for n := range r.types {
		names = append(names, n)
	}
	return names
}

// Decode returns the event's data as the registered Go value (not a
// pointer), upcasting old versions first. A type switch on the result is how
// handlers dispatch.
func (r *Registry) Decode(env Envelope) (Data, error) {
	typ, data := env.Type, env.Data
	for hops := 0; ; hops++ {
		if t, ok := r.types[typ]; ok {
			v := reflect.New(t)
			if err := json.Unmarshal(data, v.Interface()); err != nil {
				return nil, fmt.Errorf("%w: data of %s: %v", ErrMalformed, typ, err)
			}
			return v.Elem().Interface().(Data), nil
		}
		up, ok := r.upcasters[typ]
		if !ok || hops > 32 {
			return nil, fmt.Errorf("%w %q", ErrUnknownType, typ)
		}
		next, nextData, err := up(data)
		if err != nil {
			return nil, fmt.Errorf("%w: upcast %s: %v", ErrMalformed, typ, err)
		}
		typ, data = next, nextData
	}
}
