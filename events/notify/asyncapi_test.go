package notify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/notify"
)

// The AsyncAPI document is what developers outside Careweave code against,
// so these tests hold it to real encoded notices and to the Go structs: it
// cannot drift from the code without one of them failing.

const docPath = "../asyncapi.json"

func TestAsyncAPIDocumentHoldsTogether(t *testing.T) {
	d := loadDoc(t)
	if v := d.root["asyncapi"]; v != "3.0.0" {
		t.Errorf("asyncapi is %v, want 3.0.0", v)
	}
	d.walkRefs(t, d.root, "#")

	server := object(t, pointerOrFail(t, d.root, "/servers/production"), "servers.production")
	if server["protocol"] != "nats" || server["host"] == "" {
		t.Errorf("servers.production: protocol %v host %v, want a nats host", server["protocol"], server["host"])
	}

	received := map[string]bool{}
	for id, v := range object(t, d.root["operations"], "operations") {
		op := object(t, v, "operations."+id)
		if op["action"] != "receive" {
			t.Errorf("operation %s: action %v, want receive: recipients only receive notices", id, op["action"])
		}
		chRef, _ := refOf(op["channel"])
		if !strings.HasPrefix(chRef, "#/channels/") {
			t.Errorf("operation %s: channel %q is not a reference to a channel", id, chRef)
			continue
		}
		received[chRef] = true
		// AsyncAPI 3: an operation's messages are a subset of its channel's.
		for _, m := range list(op["messages"]) {
			if ref, _ := refOf(m); !strings.HasPrefix(ref, chRef+"/messages/") {
				t.Errorf("operation %s: message %q is not one of %s's messages", id, ref, chRef)
			}
		}
	}

	for id, v := range object(t, d.root["channels"], "channels") {
		ch := object(t, v, "channels."+id)
		if !received["#/channels/"+id] {
			t.Errorf("channel %s: no operation receives it", id)
		}
		_, names := addressPattern(ch["address"].(string))
		declared := keys(object(t, ch["parameters"], "channels."+id+".parameters"))
		if !slices.Equal(sorted(names), declared) {
			t.Errorf("channel %s: address parameters %v, declared %v", id, names, declared)
		}
		if p, ok := object(t, ch["parameters"], "parameters")["partition"]; ok {
			var want []any
			for i := range events.Partitions {
				want = append(want, events.PartitionToken(i))
			}
			if got := d.deref(t, p)["enum"]; !reflect.DeepEqual(got, want) {
				t.Errorf("channel %s: partition enum %v, want %v", id, got, want)
			}
		}
		// The recipient's filter is what a subscriber types first: it must be
		// the one the events package builds.
		recipient := names[0]
		if filter := events.FilterArea(notify.Service, "<"+recipient+">"); !strings.Contains(ch["description"].(string), filter) {
			t.Errorf("channel %s: description does not give the subscription filter %s", id, filter)
		}
		for name, m := range object(t, ch["messages"], "channels."+id+".messages") {
			msg := d.deref(t, m)
			ct, _ := msg["contentType"].(string)
			if ct == "" {
				ct, _ = d.root["defaultContentType"].(string)
			}
			if ct != events.ContentType {
				t.Errorf("channel %s message %s: content type %q, want %q", id, name, ct, events.ContentType)
			}
		}
	}

	var want []string
	for _, data := range notify.All() {
		want = append(want, data.EventType())
	}
	if got := keys(d.notices(t)); !slices.Equal(got, sorted(want)) {
		t.Errorf("the document describes %v, the package sends %v", got, sorted(want))
	}
}

func TestEncodedNoticesMatchTheDocument(t *testing.T) {
	d := loadDoc(t)
	notices := d.notices(t)
	for _, c := range noticeCases() {
		t.Run(c.name, func(t *testing.T) {
			n, ok := notices[c.data.EventType()]
			if !ok {
				t.Fatalf("no channel carries %s", c.data.EventType())
			}
			en, b := encodeNotice(t, c)
			payload := decodeJSON(t, b)
			n.checkSubject(t, d, &en, payload)
			if err := d.validate(n.message["payload"], payload, "payload"); err != nil {
				t.Errorf("encoded notice does not match the document: %v\n%s", err, b)
			}
			// The headers kit/relay publishes with.
			headers := map[string]any{"Nats-Msg-Id": en.ID.String(), "Content-Type": events.ContentType}
			if err := d.validate(n.message["headers"], headers, "headers"); err != nil {
				t.Errorf("headers: %v", err)
			}

			// The case must really set every optional field, or none, or it
			// proves less than its name says.
			envProps, envRequired := d.shape(t, n.message["payload"])
			dataProps, dataRequired := d.shape(t, d.dataSchema(t, n.message["payload"]))
			// A notice is always about a patient, so it always has a subject.
			wantEnv, wantData := slices.Compact(sorted(append(envRequired, "subject"))), dataRequired
			if c.full {
				wantEnv, wantData = envProps, dataProps
			}
			pm := payload.(map[string]any)
			if got := keys(pm); !slices.Equal(got, wantEnv) {
				t.Errorf("envelope attributes %v, want %v", got, wantEnv)
			}
			if got := keys(pm["data"].(map[string]any)); !slices.Equal(got, wantData) {
				t.Errorf("data fields %v, want %v", got, wantData)
			}
		})
	}
}

func TestDocumentExamplesAreValidNotices(t *testing.T) {
	d := loadDoc(t)
	reg := notify.Registry()
	for typ, n := range d.notices(t) {
		examples := list(n.message["examples"])
		if len(examples) == 0 {
			t.Errorf("%s: no example", typ)
		}
		for i, v := range examples {
			ex := object(t, v, fmt.Sprintf("%s example %d", typ, i))
			if err := d.validate(n.message["payload"], ex["payload"], "payload"); err != nil {
				t.Errorf("%s example %d: %v", typ, i, err)
			}
			if err := d.validate(n.message["headers"], ex["headers"], "headers"); err != nil {
				t.Errorf("%s example %d: %v", typ, i, err)
			}
			b, err := json.Marshal(ex["payload"])
			if err != nil {
				t.Fatal(err)
			}
			en, err := events.Decode(b)
			if err != nil {
				t.Errorf("%s example %d does not decode: %v", typ, i, err)
				continue
			}
			if _, err := reg.Decode(en); err != nil {
				t.Errorf("%s example %d data does not decode: %v", typ, i, err)
			}
			if id := object(t, ex["headers"], "headers")["Nats-Msg-Id"]; id != en.ID.String() {
				t.Errorf("%s example %d: Nats-Msg-Id %v, id %s", typ, i, id, en.ID)
			}
			n.checkSubject(t, d, &en, ex["payload"])
		}
	}
}

func TestDocumentedFieldsMatchTheGoStructs(t *testing.T) {
	d := loadDoc(t)
	notices := d.notices(t)
	consts := declaredConsts(t)
	for _, data := range notify.All() {
		n := notices[data.EventType()]
		if n.message == nil {
			t.Errorf("%s: not in the document", data.EventType())
			continue
		}
		schema := d.dataSchema(t, n.message["payload"])
		if schema["additionalProperties"] != false {
			t.Errorf("%T: additionalProperties must be false, so a field the code adds fails validation", data)
		}
		fields := jsonFields(t, reflect.TypeOf(data))
		compareShape(t, fmt.Sprintf("%T", data), d, schema, fields)
		props := object(t, schema["properties"], "properties")
		for _, f := range fields {
			if p, ok := props[f.name]; ok {
				checkFieldSchema(t, fmt.Sprintf("%T.%s", data, f.name), d.deref(t, p), f.typ, consts)
			}
		}
	}
	// Every notice's envelope is events.Envelope as Encode writes it.
	for typ, n := range notices {
		compareShape(t, typ+" envelope", d, n.message["payload"], jsonFields(t, reflect.TypeFor[events.Envelope]()))
	}
}

func TestValidatorRejectsWhatTheDocumentForbids(t *testing.T) {
	d := loadDoc(t)
	n := d.notices(t)[notify.DischargeNotice{}.EventType()]
	_, b := encodeNotice(t, noticeCases()[0])
	for _, c := range []struct {
		name   string
		change func(env, data map[string]any)
		ok     bool
	}{
		{"unchanged", func(env, data map[string]any) {}, true},
		{"unknown envelope attribute", func(env, data map[string]any) { env["traceparent"] = "00-abc" }, true},
		{"unknown data field", func(env, data map[string]any) { data["nhsNumber"] = "9434765919" }, false},
		{"unknown kind", func(env, data map[string]any) { data["kind"] = "discharged" }, false},
		{"missing required field", func(env, data map[string]any) { delete(data, "stay") }, false},
		{"time that is not RFC 3339", func(env, data map[string]any) { data["dueBy"] = "tomorrow" }, false},
		{"needs that are not strings", func(env, data map[string]any) { data["needs"] = []any{json.Number("1")} }, false},
		{"number where a string goes", func(env, data map[string]any) { data["pathway"] = json.Number("1") }, false},
		{"another notice's type", func(env, data map[string]any) { env["type"] = notify.AssignmentNotice{}.EventType() }, false},
		{"stream version 0", func(env, data map[string]any) { env["streamversion"] = json.Number("0") }, false},
		{"stream version not an integer", func(env, data map[string]any) { env["streamversion"] = json.Number("1.5") }, false},
		{"area that is not a subject token", func(env, data map[string]any) { env["area"] = "team.severn" }, false},
		{"missing envelope attribute", func(env, data map[string]any) { delete(env, "correlationid") }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := decodeJSON(t, b).(map[string]any)
			c.change(env, env["data"].(map[string]any))
			err := d.validate(n.message["payload"], env, "payload")
			if c.ok && err != nil {
				t.Errorf("rejected: %v", err)
			}
			if !c.ok && err == nil {
				t.Error("accepted")
			}
		})
	}
	if err := d.validate(map[string]any{"minLength": json.Number("1")}, "x", "v"); err == nil {
		t.Error("a keyword the validator does not know was skipped silently")
	}
}

// noticeCase is one notice to encode: with every optional field set (in
// the data and the envelope), or with none.
type noticeCase struct {
	name      string
	recipient string
	data      events.Data
	full      bool
}

var (
	noticeTime = time.Date(2026, 11, 23, 9, 0, 0, 123_000_000, time.UTC)
	patientRef = "01a20900-0000-7000-8000-000000000001"
)

func noticeCases() []noticeCase {
	at := noticeTime.Add(-15 * time.Minute)
	return []noticeCase{
		{"discharge/all fields", "team-severn-ict", notify.DischargeNotice{Team: "team-severn-ict", Kind: notify.DischargeCancelled,
			Stay: "019ab0d1-2c3d-7e4f-8a5b-6c7d8e9f0a1b", Patient: patientRef, Pathway: "P3", DischargedAt: at, DueBy: at.Add(24 * time.Hour),
			Needs: []string{"reablement", "equipment"}, Destination: "care-home", CareHome: "home-severn-view", Reason: "clinically-unfit",
			SourceEvent: "019ab0e4-6a01-7f00-a1b2-c3d4e5f60718"}, true},
		{"discharge/required fields", "team-severn-ict", notify.DischargeNotice{Team: "team-severn-ict", Kind: notify.DischargeRouted,
			Stay: "019ab0d1-2c3d-7e4f-8a5b-6c7d8e9f0a1b", Patient: patientRef, Pathway: "P0", DischargedAt: at, DueBy: at.Add(72 * time.Hour),
			SourceEvent: "019ab0e4-6a01-7f00-a1b2-c3d4e5f60718"}, false},
		{"assignment/all fields", "para-jess-patel", notify.AssignmentNotice{Clinician: "para-jess-patel", Kind: notify.Withdrawn,
			Visit: "019ab0f0-4e5f-7a6b-9c7d-8e9fa0b1c2d3", Patient: patientRef, Urgency: "urgent", NotBefore: at, VisitBy: at.Add(2 * time.Hour),
			Reason: "cancelled:duplicate", SourceEvent: "019ab0f2-0c1d-7e2f-a3b4-c5d6e7f80912"}, true},
		{"assignment/required fields", "para-jess-patel", notify.AssignmentNotice{Clinician: "para-jess-patel", Kind: notify.Assigned,
			Visit: "019ab0f0-4e5f-7a6b-9c7d-8e9fa0b1c2d3", Patient: patientRef, SourceEvent: "019ab0f2-0c1d-7e2f-a3b4-c5d6e7f80912"}, false},
		{"webhook delivery/all fields", "team-severn-ict", notify.WebhookDelivery{Team: "team-severn-ict", State: notify.Failing, Sequence: 42,
			Notice: "019ab0e4-6b58-7d2e-9c41-3f0a8e5b7c21", Kind: notify.DischargeRouted, Stay: "019ab0d1-2c3d-7e4f-8a5b-6c7d8e9f0a1b", Patient: patientRef,
			Attempts: 2, Error: "endpoint answered 503 Service Unavailable", NextAttemptAt: noticeTime.Add(2 * time.Second)}, true},
		{"webhook delivery/required fields", "team-severn-ict", notify.WebhookDelivery{Team: "team-severn-ict", State: notify.Delivered, Sequence: 42,
			Notice: "019ab0e4-6b58-7d2e-9c41-3f0a8e5b7c21", Kind: notify.DischargeRouted, Stay: "019ab0d1-2c3d-7e4f-8a5b-6c7d8e9f0a1b", Patient: patientRef}, false},
	}
}

// encodeNotice builds the envelope as the notify service appends it to the
// recipient's feed, and encodes it.
func encodeNotice(t *testing.T, c noticeCase) (events.Envelope, []byte) {
	t.Helper()
	m := events.Metadata{ID: events.NewID(noticeTime), Time: noticeTime, Subject: patientRef, Area: c.recipient,
		CorrelationID: "019ab0e4-5a10-7b3c-8d2e-1a2b3c4d5e6f", Actor: events.Actor{ID: "careweave-notify", Role: "system"}}
	if c.full {
		m.CausationID = "019ab0e4-6a01-7f00-a1b2-c3d4e5f60718"
		m.Actor.Org = "careweave"
	}
	en, err := events.New(c.data, m)
	if err != nil {
		t.Fatal(err)
	}
	en.StreamID, en.StreamVersion = notify.FeedStream(c.recipient), 1
	if _, ok := c.data.(notify.WebhookDelivery); ok {
		en.StreamID = notify.WebhookStream(c.recipient)
	}
	b, err := en.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return en, b
}

// notice is what the document says about one notice type.
type notice struct {
	channel string
	address string
	params  map[string]map[string]any
	message map[string]any
}

// checkSubject checks that the envelope's subject is an address of the
// notice's channel, and that each parameter's value is one the document
// allows, found where the document says it is.
func (n notice) checkSubject(t *testing.T, d *doc, en *events.Envelope, payload any) {
	t.Helper()
	subject, err := events.SubjectOf(en)
	if err != nil {
		t.Fatal(err)
	}
	re, names := addressPattern(n.address)
	m := re.FindStringSubmatch(subject)
	if m == nil {
		t.Errorf("subject %s is not an address of channel %s (%s)", subject, n.channel, n.address)
		return
	}
	for _, name := range names {
		value, p := m[re.SubexpIndex(name)], n.params[name]
		if enum, ok := p["enum"]; ok && !slices.Contains(list(enum), any(value)) {
			t.Errorf("subject %s: %s %q is not one of %v", subject, name, value, enum)
		}
		if loc, ok := p["location"].(string); ok {
			ptr, ok := strings.CutPrefix(loc, "$message.payload#")
			if !ok {
				t.Errorf("parameter %s: location %q is not in the payload", name, loc)
				continue
			}
			if got, err := pointer(payload, ptr); err != nil || got != value {
				t.Errorf("subject %s: %s is %q, but the payload at %s holds %v (%v)", subject, name, value, loc, got, err)
			}
		}
	}
}

var paramRE = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// addressPattern turns a channel address into a regexp with a named group
// per parameter, each matching one subject token.
func addressPattern(address string) (*regexp.Regexp, []string) {
	var b strings.Builder
	var names []string
	b.WriteString("^")
	last := 0
	for _, m := range paramRE.FindAllStringSubmatchIndex(address, -1) {
		b.WriteString(regexp.QuoteMeta(address[last:m[0]]))
		name := address[m[2]:m[3]]
		b.WriteString("(?P<" + name + ">[A-Za-z0-9_-]+)")
		names = append(names, name)
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(address[last:]) + "$")
	return regexp.MustCompile(b.String()), names
}

// doc is the parsed document. Numbers stay json.Number so integers are
// checked exactly.
type doc struct{ root map[string]any }

func loadDoc(t *testing.T) *doc {
	t.Helper()
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	root, ok := decodeJSON(t, b).(map[string]any)
	if !ok {
		t.Fatalf("%s is not a JSON object", docPath)
	}
	return &doc{root}
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Fatal("trailing data after the JSON value")
	}
	return v
}

// notices maps each wire type the document describes to its channel and
// message, found through the channels, so a message no channel carries
// does not count.
func (d *doc) notices(t *testing.T) map[string]notice {
	t.Helper()
	out := map[string]notice{}
	for id, v := range object(t, d.root["channels"], "channels") {
		ch := object(t, v, "channels."+id)
		params := map[string]map[string]any{}
		for name, p := range object(t, ch["parameters"], "channels."+id+".parameters") {
			params[name] = d.deref(t, p)
		}
		for name, m := range object(t, ch["messages"], "channels."+id+".messages") {
			msg := d.deref(t, m)
			types := d.wireTypes(t, msg["payload"])
			if len(types) != 1 {
				t.Fatalf("channel %s message %s: payload type enum %v, want one wire type", id, name, types)
			}
			if _, dup := out[types[0]]; dup {
				t.Fatalf("%s is carried by two channels", types[0])
			}
			out[types[0]] = notice{channel: id, address: ch["address"].(string), params: params, message: msg}
		}
	}
	return out
}

// wireTypes returns the values the payload schema allows for the
// envelope's type attribute.
func (d *doc) wireTypes(t *testing.T, schema any) []string {
	s := d.deref(t, schema)
	var out []string
	for _, sub := range list(s["allOf"]) {
		out = append(out, d.wireTypes(t, sub)...)
	}
	if props, ok := s["properties"].(map[string]any); ok {
		if typ, ok := props["type"].(map[string]any); ok {
			for _, e := range list(typ["enum"]) {
				out = append(out, e.(string))
			}
		}
	}
	return out
}

// dataSchema returns the notice schema the payload's data refers to.
func (d *doc) dataSchema(t *testing.T, payload any) map[string]any {
	t.Helper()
	var found []map[string]any
	var walk func(schema any)
	walk = func(schema any) {
		s := d.deref(t, schema)
		for _, sub := range list(s["allOf"]) {
			walk(sub)
		}
		if props, ok := s["properties"].(map[string]any); ok {
			if _, ok := refOf(props["data"]); ok {
				found = append(found, d.deref(t, props["data"]))
			}
		}
	}
	walk(payload)
	if len(found) != 1 {
		t.Fatalf("payload: %d data schemas by reference, want 1", len(found))
	}
	return found[0]
}

// shape returns an object schema's property names and required names,
// sorted, merged over allOf.
func (d *doc) shape(t *testing.T, schema any) (props, required []string) {
	t.Helper()
	s := d.deref(t, schema)
	for _, sub := range list(s["allOf"]) {
		p, r := d.shape(t, sub)
		props, required = append(props, p...), append(required, r...)
	}
	if p, ok := s["properties"].(map[string]any); ok {
		props = append(props, keys(p)...)
	}
	for _, r := range list(s["required"]) {
		required = append(required, r.(string))
	}
	return slices.Compact(sorted(props)), slices.Compact(sorted(required))
}

// deref resolves a reference (if v is one) and returns the object.
func (d *doc) deref(t *testing.T, v any) map[string]any {
	t.Helper()
	if ref, ok := refOf(v); ok {
		var err error
		if v, err = d.resolve(ref); err != nil {
			t.Fatal(err)
		}
	}
	return object(t, v, "schema")
}

// resolve follows a reference within the document, and any reference it
// lands on.
func (d *doc) resolve(ref string) (any, error) {
	seen := map[string]bool{}
	for {
		if seen[ref] {
			return nil, fmt.Errorf("%s: reference loop", ref)
		}
		seen[ref] = true
		ptr, ok := strings.CutPrefix(ref, "#")
		if !ok {
			return nil, fmt.Errorf("%s: not a reference within the document", ref)
		}
		v, err := pointer(d.root, ptr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ref, err)
		}
		next, ok := refOf(v)
		if !ok {
			return v, nil
		}
		ref = next
	}
}

// walkRefs fails the test for every $ref that does not resolve.
func (d *doc) walkRefs(t *testing.T, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"]; ok {
			s, _ := ref.(string)
			if _, err := d.resolve(s); err != nil {
				t.Errorf("%s: %v", at, err)
			}
		}
		for k, e := range v {
			d.walkRefs(t, e, at+"/"+k)
		}
	case []any:
		for i, e := range v {
			d.walkRefs(t, e, fmt.Sprintf("%s/%d", at, i))
		}
	}
}

// pointer evaluates a JSON pointer (RFC 6901).
func pointer(v any, ptr string) (any, error) {
	if ptr == "" {
		return v, nil
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, fmt.Errorf("pointer %q does not start with /", ptr)
	}
	unescape := strings.NewReplacer("~1", "/", "~0", "~")
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = unescape.Replace(tok)
		switch c := v.(type) {
		case map[string]any:
			next, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("no %q", tok)
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("no index %q", tok)
			}
			v = c[i]
		default:
			return nil, fmt.Errorf("%q: not an object or array", tok)
		}
	}
	return v, nil
}

func pointerOrFail(t *testing.T, v any, ptr string) any {
	t.Helper()
	got, err := pointer(v, ptr)
	if err != nil {
		t.Fatalf("%s: %v", ptr, err)
	}
	return got
}

// schemaKeywords are the JSON Schema keywords validate understands, and the
// annotations it may ignore. Any other keyword fails validation, so a
// constraint added to the document is never skipped silently.
var schemaKeywords = map[string]bool{
	"$ref": true, "allOf": true, "type": true, "enum": true, "pattern": true, "format": true, "minimum": true,
	"required": true, "properties": true, "additionalProperties": true, "items": true,
	"title": true, "description": true, "examples": true,
}

// validate checks v against a draft-07 schema, within the subset listed in
// schemaKeywords.
func (d *doc) validate(schema, v any, at string) error {
	if ref, ok := refOf(schema); ok {
		target, err := d.resolve(ref)
		if err != nil {
			return err
		}
		return d.validate(target, v, at)
	}
	s, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: schema is %T, want an object", at, schema)
	}
	for k := range s {
		if !schemaKeywords[k] {
			return fmt.Errorf("%s: schema keyword %q is not supported by this validator", at, k)
		}
	}
	for _, sub := range list(s["allOf"]) {
		if err := d.validate(sub, v, at); err != nil {
			return err
		}
	}
	if typ, ok := s["type"]; ok && !hasType(typ, v) {
		return fmt.Errorf("%s: %#v is not of type %v", at, v, typ)
	}
	if enum, ok := s["enum"]; ok && !slices.ContainsFunc(list(enum), func(e any) bool { return reflect.DeepEqual(e, v) }) {
		return fmt.Errorf("%s: %#v is not one of %v", at, v, enum)
	}
	if str, ok := v.(string); ok {
		if p, ok := s["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("%s: pattern: %v", at, err)
			}
			if !re.MatchString(str) {
				return fmt.Errorf("%s: %q does not match %s", at, str, p)
			}
		}
		if f, ok := s["format"].(string); ok {
			if f != "date-time" {
				return fmt.Errorf("%s: format %q is not supported by this validator", at, f)
			}
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return fmt.Errorf("%s: %q is not a date-time: %v", at, str, err)
			}
		}
	}
	if num, ok := v.(json.Number); ok {
		if min, ok := s["minimum"].(json.Number); ok {
			x, err1 := num.Float64()
			m, err2 := min.Float64()
			if err1 != nil || err2 != nil || x < m {
				return fmt.Errorf("%s: %s is below the minimum %s", at, num, min)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range list(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				return fmt.Errorf("%s: %s is required", at, r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for _, k := range keys(obj) {
			if p, ok := props[k]; ok {
				if err := d.validate(p, obj[k], at+"."+k); err != nil {
					return err
				}
			} else if s["additionalProperties"] == false {
				return fmt.Errorf("%s: %s is not allowed", at, k)
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := s["items"]; ok {
			for i, e := range arr {
				if err := d.validate(items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// hasType reports whether v is of the schema type, or one of the types.
func hasType(typ, v any) bool {
	is := func(name any) bool {
		switch name {
		case "object":
			_, ok := v.(map[string]any)
			return ok
		case "array":
			_, ok := v.([]any)
			return ok
		case "string":
			_, ok := v.(string)
			return ok
		case "boolean":
			_, ok := v.(bool)
			return ok
		case "null":
			return v == nil
		case "number":
			_, ok := v.(json.Number)
			return ok
		case "integer":
			n, ok := v.(json.Number)
			if !ok {
				return false
			}
			_, err := strconv.ParseInt(n.String(), 10, 64)
			return err == nil
		}
		return false
	}
	if types, ok := typ.([]any); ok {
		return slices.ContainsFunc(types, is)
	}
	return is(typ)
}

// jsonField is a struct field as encoding/json writes it.
type jsonField struct {
	name     string
	optional bool // omitempty or omitzero: may be absent
	typ      reflect.Type
}

func jsonFields(t *testing.T, typ reflect.Type) []jsonField {
	t.Helper()
	var out []jsonField
	for f := range typ.Fields() {
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		if f.Anonymous {
			t.Fatalf("%s.%s: embedded fields are not handled here", typ, f.Name)
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		out = append(out, jsonField{name, slices.Contains(o, "omitempty") || slices.Contains(o, "omitzero"), f.Type})
	}
	return out
}

// compareShape checks that a schema lists exactly the fields, and requires
// exactly those that are always written.
func compareShape(t *testing.T, what string, d *doc, schema any, fields []jsonField) {
	t.Helper()
	var names, required []string
	for _, f := range fields {
		names = append(names, f.name)
		if !f.optional {
			required = append(required, f.name)
		}
	}
	props, req := d.shape(t, schema)
	if names = sorted(names); !slices.Equal(props, names) {
		t.Errorf("%s: schema properties %v, Go fields %v", what, props, names)
	}
	if required = sorted(required); !slices.Equal(req, required) {
		t.Errorf("%s: schema requires %v, Go always writes %v", what, req, required)
	}
}

// checkFieldSchema checks a property's type against its Go field's, and a
// kind's enum against the constants declared for it.
func checkFieldSchema(t *testing.T, what string, p map[string]any, typ reflect.Type, consts map[string][]string) {
	t.Helper()
	wantType, wantFormat, wantItems := "", "", ""
	switch {
	case typ == reflect.TypeFor[time.Time]():
		wantType, wantFormat = "string", "date-time"
	case typ.Kind() == reflect.String:
		wantType = "string"
	case typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.String:
		wantType, wantItems = "array", "string"
	case typ.Kind() == reflect.Int || typ.Kind() == reflect.Int64:
		wantType = "integer"
	default:
		t.Errorf("%s: Go type %s has no JSON Schema mapping here; add one", what, typ)
		return
	}
	if p["type"] != wantType {
		t.Errorf("%s: type %v, want %s", what, p["type"], wantType)
	}
	if f, _ := p["format"].(string); f != wantFormat {
		t.Errorf("%s: format %q, want %q", what, f, wantFormat)
	}
	if wantItems != "" {
		if items, _ := p["items"].(map[string]any); items == nil || items["type"] != wantItems {
			t.Errorf("%s: items %v, want type %s", what, p["items"], wantItems)
		}
	}
	if typ.Kind() == reflect.String && typ.PkgPath() == reflect.TypeFor[notify.DischargeNotice]().PkgPath() {
		want := consts[typ.Name()]
		if len(want) == 0 {
			t.Errorf("%s: no constants of type %s declared in package notify", what, typ.Name())
		}
		var got []string
		for _, e := range list(p["enum"]) {
			got = append(got, e.(string))
		}
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Errorf("%s: enum %v, package notify declares %v", what, got, want)
		}
	}
}

// declaredConsts returns the string constants of package notify by their
// type's name, read from its source, so a kind added in Go and not in the
// document fails the test.
func declaredConsts(t *testing.T) map[string][]string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						out[id.Name] = append(out[id.Name], s)
					}
				}
			}
		}
	}
	return out
}

func refOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	ref, ok := m["$ref"].(string)
	return ref, ok
}

func object(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: %T, want an object", what, v)
	}
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
