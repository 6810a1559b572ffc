package events_test

import (
	"encoding/json"
	"testing"

	"github.com/careweave/careweave/events"
)

// The hand-written encoder must produce exactly what encoding/json would:
// stored and published bytes, and their hashes, must not depend on which
// wrote them.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	env := sample(t)
	cases := map[string]func(e *events.Envelope){
		"plain":           func(*events.Envelope) {},
		"html in strings": func(e *events.Envelope) { e.CorrelationID = `a<b>&"c\d` },
		"optional unset":  func(e *events.Envelope) { e.Subject, e.CausationID, e.ActorOrg = "", "", "" },
		"data spacing":    func(e *events.Envelope) { e.Data = json.RawMessage(" {\n \"a\" : [1, 2.50, \"x\"] ,\"b\":{}}\t") },
		"data html":       func(e *events.Envelope) { e.Data = json.RawMessage(`{"s":"<script>&amp;\u2028 é ✓ \"q\""}`) },
		"nanoseconds":     func(e *events.Envelope) { e.Time = e.Time.Add(123456789) },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			e := env
			change(&e)
			got, err := e.Encode()
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(&e)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("Encode:\n %s\njson.Marshal:\n %s", got, want)
			}
		})
	}
}

func FuzzEncodeMatchesEncodingJSON(f *testing.F) {
	f.Add("corr", `{"a":1}`, int64(1))
	f.Add(`<&>"\`, `{"s":"\u2028<"}`, int64(42))
	f.Fuzz(func(t *testing.T, correlation, data string, version int64) {
		e := sample(t)
		e.CorrelationID, e.Data, e.StreamVersion = correlation, json.RawMessage(data), version
		got, err := e.Encode()
		if err != nil {
			return // invalid envelopes are refused; Validate's tests cover why
		}
		want, err := json.Marshal(&e)
		if err != nil || string(got) != string(want) {
			t.Fatalf("Encode = %s\njson.Marshal = %s (%v)", got, want, err)
		}
	})
}
