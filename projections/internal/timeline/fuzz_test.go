package timeline_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/projections/internal/timeline"
)

// FuzzProject decodes arbitrary JSON as the data of every registered event
// type, on arbitrary subjects and streams, and checks Project never panics,
// fails only with ErrMalformed, and never writes an NHS-number-like run of
// digits into a summary or a mark.
func FuzzProject(f *testing.F) {
	for _, c := range cases() {
		c := prepare(c)
		raw, err := json.Marshal(c.data)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, c.subject, c.stream, int64(3))
	}
	f.Add([]byte(`{"reason":"999 000 0069","patient":"p","nominated":["a","","a"],"window":{"notBefore":"0001-01-01T00:00:00Z"}}`), "p", "visit-", int64(-1))
	f.Add([]byte(`{"dueOn":"2026-02-30","criteria":["x"],"switchTo":null}`), "", "round-x", int64(1))

	p := projector(f)
	reg := timeline.Registry()
	types := reg.Types()
	slices.Sort(types)
	f.Fuzz(func(t *testing.T, raw []byte, subject, stream string, version int64) {
		for _, typ := range types {
			tn, _ := events.ParseTypeName(typ)
			env := events.Envelope{Type: typ, SchemaVersion: tn.Version, Subject: subject, StreamID: stream,
				StreamVersion: version, Time: time.Unix(1_790_000_000, 0).UTC(), Data: raw}
			data, err := reg.Decode(env)
			if err != nil {
				continue
			}
			eff, err := p.Project(env, data)
			if err != nil {
				if !errors.Is(err, events.ErrMalformed) {
					t.Fatalf("%s: error %v does not wrap ErrMalformed", typ, err)
				}
				continue
			}
			for _, e := range eff.Add {
				if nhsLike.MatchString(e.Summary) || nhsSpaced.MatchString(e.Summary) {
					t.Fatalf("%s: summary %q holds an NHS-number-like run", typ, e.Summary)
				}
				if e.Patient == "" || e.Summary == "" {
					t.Fatalf("%s: entry %+v", typ, e)
				}
			}
			for _, m := range eff.Mark {
				if nhsLike.MatchString(m.Reason) || nhsSpaced.MatchString(m.Reason) {
					t.Fatalf("%s: mark reason %q holds an NHS-number-like run", typ, m.Reason)
				}
			}
		}
	})
}
