package timeline

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/events/patients"
)

// Categories group entries for filtering and display.
const (
	CategoryHomeVisit        = "home-visit"
	CategoryMedicationReview = "medication-review"
	CategoryCareHome         = "care-home"
	CategoryHospital         = "hospital"
	CategoryRegistration     = "registration"
)

// Status is what a later event says about an earlier entry. An entry with no
// status stands as recorded.
type Status string

// Statuses a Mark can give an entry.
const (
	// StatusRetracted: the fact did not happen after all (a cancelled
	// discharge and everything that hung on it).
	StatusRetracted Status = "retracted"
	// StatusSuperseded: a later event of the same record replaced it (a
	// re-triage, a reassignment, a rebooking, a revised plan).
	StatusSuperseded Status = "superseded"
	// StatusWithdrawn: a care-home round nomination taken off the list.
	StatusWithdrawn Status = "withdrawn"
	// StatusRejected and StatusAccepted: a prescriber's decision on a
	// medicines recommendation.
	StatusRejected Status = "rejected"
	StatusAccepted Status = "accepted"
)

// Link points at the record an entry came from, on its service's API.
type Link struct {
	Service   string // e.g. "homevisits"
	Aggregate string // e.g. "visit"
	ID        string // the aggregate id, e.g. the visit id
	Path      string // the GET path on that service, e.g. "/v1/visits/<id>"
}

// Entry is one line of a patient's timeline. An entry is identified by
// (EventID, Patient): one event adds at most one entry per patient.
type Entry struct {
	EventID string
	Patient string // opaque patient reference
	// OccurredAt is when it happened as the event states it (the visit's
	// completion, the discharge); RecordedAt is when the event was recorded.
	OccurredAt time.Time
	RecordedAt time.Time
	Service    string
	EventType  string // wire type name, after upcasting
	Category   string
	Summary    string
	ActorID    string
	ActorRole  string
	ActorOrg   string
	Source     Link
	// StreamID and StreamVersion place the entry in its aggregate's history,
	// which is what Marks select on.
	StreamID      string
	StreamVersion int64
	// Key names the part of the aggregate the entry is about, when a Mark
	// must tell it apart from its siblings: the recommendation id of a
	// medicines recommendation, the action id of a round action.
	Key string
}

// Mark changes the status of earlier entries. It selects the entries of
// Patient in stream StreamID whose EventType is one of EventTypes, whose
// StreamVersion is below Before, and, when Key is set, whose Key equals it.
// An entry keeps the first mark it gets: a later mark of an entry already
// marked changes nothing, so replaying marks is harmless and the reason
// shown is the one that first changed the entry.
type Mark struct {
	Patient    string
	StreamID   string
	EventTypes []string
	Key        string
	Before     int64
	Status     Status
	Reason     string // plain English, shown beside the marked entry
	ByEventID  string // the event that made the mark
}

// Effect is what one event does to the timelines. An empty Effect is a
// deliberate "nothing to show" (see WithoutEntries).
type Effect struct {
	Add  []Entry
	Mark []Mark
}

// IsZero reports whether the effect changes nothing.
func (e Effect) IsZero() bool { return len(e.Add) == 0 && len(e.Mark) == 0 }

// WithoutEntries returns the event types Project handles by returning an
// empty Effect on purpose: round-level care-home events, which name no
// patient (the round's nominations, reviews, actions and cancellation add
// the residents' entries), and the viewsOnly types.
func WithoutEntries() []string {
	return []string{
		carehomes.RoundScheduled{}.EventType(),
		carehomes.RoundHeld{}.EventType(),
		carehomes.RoundClosed{}.EventType(),
		notify.WebhookDelivery{}.EventType(),
		access.AccessRecorded{}.EventType(),
		access.BreakGlassGranted{}.EventType(),
	}
}

// viewsOnly are the event types of other services the projector takes for
// the operational views alone: a team's webhook deliveries, which the
// discharge worklist shows, and the access audit, which the patient's
// access log shows. Who looked at a record is not care: it never appears on
// the timeline.
func viewsOnly() []events.Data {
	return []events.Data{notify.WebhookDelivery{}, access.AccessRecorded{}, access.BreakGlassGranted{}}
}

// Registry returns one registry holding the event types of every service.
func Registry() *events.Registry {
	reg := events.NewRegistry()
	for _, register := range []func(*events.Registry){patients.Register, homevisits.Register, medreviews.Register, carehomes.Register, discharge.Register} {
		register(reg)
	}
	reg.Register(viewsOnly()...)
	return reg
}

// Services are the services whose events the timeline shows; the
// projector consumes theirs, and of the notices Careweave sends out only the
// viewsOnly types.
func Services() []string {
	var out []string
	for _, t := range Registry().Types() {
		if slices.ContainsFunc(viewsOnly(), func(d events.Data) bool { return d.EventType() == t }) {
			continue
		}
		if tn, err := events.ParseTypeName(t); err == nil && !slices.Contains(out, tn.Service) {
			out = append(out, tn.Service)
		}
	}
	slices.Sort(out)
	return out
}

// Filters are the subject filters of the services' events, in one
// partition or, for p < 0, in all.
func Filters(p int) []string {
	var out []string
	for _, s := range Services() {
		if p < 0 {
			out = append(out, events.FilterService(s))
		} else {
			out = append(out, events.FilterServicePartition(s, p))
		}
	}
	for _, d := range viewsOnly() {
		tn, err := events.ParseTypeName(d.EventType())
		if err != nil {
			panic(err) // a contract's own wire name; its tests parse it
		}
		out = append(out, events.FilterEvent(tn, p))
	}
	return out
}

// Projector maps events to timeline effects. It holds only the time zone
// summaries are written in; it is safe for concurrent use.
type Projector struct {
	loc   *time.Location
	known map[string]bool // the types of Registry; read-only after New
}

// LondonZone is the zone every summary's times are shown in.
const LondonZone = "Europe/London"

// New returns a Projector that shows times in Europe/London. A binary that
// may run without a system time-zone database imports time/tzdata in main.
func New() (*Projector, error) {
	loc, err := time.LoadLocation(LondonZone)
	if err != nil {
		return nil, fmt.Errorf("load time zone %s: %w", LondonZone, err)
	}
	known := map[string]bool{}
	for _, t := range Registry().Types() {
		known[t] = true
	}
	return &Projector{loc: loc, known: known}, nil
}

// Project returns what one decoded event does to the timelines. Every event
// type of Registry is handled explicitly; anything else, or an event whose
// envelope and data disagree, is an error wrapping events.ErrMalformed (and,
// for an unknown type, events.ErrUnknownType), so the worker parks it rather
// than retrying. Error texts never carry a patient reference.
func (p *Projector) Project(env events.Envelope, data events.Data) (Effect, error) {
	if data == nil {
		return Effect{}, fmt.Errorf("%w: project: no data", events.ErrMalformed)
	}
	if !p.known[data.EventType()] {
		return Effect{}, fmt.Errorf("project: %w", unknown(data))
	}
	tn, err := events.ParseTypeName(data.EventType())
	if err != nil {
		return Effect{}, fmt.Errorf("%w: project %T: %v", events.ErrMalformed, data, err)
	}
	var eff Effect
	switch tn.Service {
	case "patients":
		eff, err = p.patients(env, data)
	case "homevisits":
		eff, err = p.homeVisits(env, data)
	case "medreviews":
		eff, err = p.medReviews(env, data)
	case "carehomes":
		eff, err = p.careHomes(env, data)
	case "discharge":
		eff, err = p.discharge(env, data)
	case "notify":
		if _, ok := data.(notify.WebhookDelivery); !ok {
			err = unknown(data)
		}
	case access.Service:
		err = auditOf(env, data)
	default:
		err = unknown(data)
	}
	if err != nil {
		return Effect{}, fmt.Errorf("project %s: %w", tn, err)
	}
	return eff, nil
}

// auditOf checks an audit record names the patient its envelope is about:
// the access log is read by patient, so a record filed under the wrong one
// would hide an access from the right one.
func auditOf(env events.Envelope, data events.Data) error {
	var patient string
	switch d := data.(type) {
	case access.AccessRecorded:
		patient = d.Patient
	case access.BreakGlassGranted:
		patient = d.Patient
	default:
		return unknown(data)
	}
	if patient == "" || patient != env.Subject {
		return malformed("an audit record must name the patient of its envelope's subject")
	}
	return nil
}

// unknown is the error for a type no case handles.
func unknown(data events.Data) error {
	return fmt.Errorf("%w: %w %q", events.ErrMalformed, events.ErrUnknownType, data.EventType())
}

// malformed is the error for an event that cannot be placed on a timeline.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", events.ErrMalformed, fmt.Sprintf(format, args...))
}

// source carries what every entry and mark of one event shares.
type source struct {
	p        *Projector
	env      events.Envelope
	typ      string
	service  string
	category string
	link     Link
}

// newSource checks the event's stream belongs to aggregate and builds the
// link to it.
func (p *Projector) newSource(env events.Envelope, data events.Data, service, aggregate, category string) (source, error) {
	id, ok := strings.CutPrefix(env.StreamID, aggregate+"-")
	if !ok || id == "" {
		return source{}, malformed("stream is not a %s stream", aggregate)
	}
	return source{
		p: p, env: env, typ: data.EventType(), service: service, category: category,
		link: Link{Service: service, Aggregate: aggregate, ID: id, Path: "/v1/" + plural(aggregate) + "/" + url.PathEscape(id)},
	}, nil
}

func plural(aggregate string) string {
	if aggregate == "residency" {
		return "residencies"
	}
	return aggregate + "s"
}

// patient returns the patient an event is about: the envelope's subject,
// which must agree with the reference the data carries (a disagreement is a
// wrong-patient linkage, never guessed at). Round events have no subject and
// name the patient in their data.
func (s source) patient(inData string) (string, error) {
	if inData != "" && s.env.Subject != "" && inData != s.env.Subject {
		return "", malformed("envelope subject and data name different patients")
	}
	ref := s.env.Subject
	if ref == "" {
		ref = inData
	}
	if ref == "" {
		return "", malformed("event names no patient")
	}
	if !isRef(ref) {
		return "", malformed("patient reference is not 1-64 letters, digits, '-' or '_'")
	}
	return ref, nil
}

// entry builds the entry for patient; at is when it happened, or the
// envelope's time when the event states none.
func (s source) entry(patient string, at time.Time, key, summary string) Entry {
	if at.IsZero() {
		at = s.env.Time
	}
	return Entry{
		EventID: s.env.ID.String(), Patient: patient, OccurredAt: at.UTC(), RecordedAt: s.env.Time.UTC(),
		Service: s.service, EventType: s.typ, Category: s.category, Summary: scrub(summary),
		ActorID: s.env.ActorID, ActorRole: s.env.ActorRole, ActorOrg: s.env.ActorOrg,
		Source: s.link, StreamID: s.env.StreamID, StreamVersion: s.env.StreamVersion, Key: key,
	}
}

// mark builds a mark on earlier entries of this event's stream.
func (s source) mark(patient string, status Status, key, reason string, types ...string) Mark {
	return Mark{
		Patient: patient, StreamID: s.env.StreamID, EventTypes: types, Key: key,
		Before: s.env.StreamVersion, Status: status, Reason: scrub(reason), ByEventID: s.env.ID.String(),
	}
}

// one is the effect of an event that adds a single entry (and maybe marks).
func one(e Entry, marks ...Mark) Effect { return Effect{Add: []Entry{e}, Mark: marks} }

func isRef(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
