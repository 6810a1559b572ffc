package events_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
)

type dischargeLike struct {
	Pathway     string    `json:"pathway"`
	DischargeAt time.Time `json:"dischargedAt"`
	Method      string    `json:"method"`
	Destination string    `json:"destination"`
	Needs       []string  `json:"needs"`
	Ward        string    `json:"ward"`
}

func (dischargeLike) EventType() string { return "careweave.discharge.patient_discharged.v1" }

func benchEnvelope(b *testing.B) events.Envelope {
	now := time.Now()
	env, err := events.New(dischargeLike{Pathway: "P1", DischargeAt: now, Method: "transport", Destination: "usual-residence",
		Needs: []string{"reablement", "equipment"}, Ward: "ward-7"}, events.Metadata{
		ID: events.NewID(now), Time: now, Subject: events.NewID(now).String(), Area: "U12345",
		CorrelationID: events.NewID(now).String(), Actor: events.Actor{ID: "clin-42", Role: "discharge-coordinator", Org: "RX1"},
	})
	if err != nil {
		b.Fatal(err)
	}
	env.StreamID, env.StreamVersion = "discharge-1", 3
	return env
}

// BenchmarkEncode validates and marshals an envelope; BenchmarkEncodeBaseline
// is json.Marshal alone, the floor Encode is measured against.
func BenchmarkEncode(b *testing.B) {
	env := benchEnvelope(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeBaseline(b *testing.B) {
	env := benchEnvelope(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(&env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode parses and validates; the baseline is json.Unmarshal.
func BenchmarkDecode(b *testing.B) {
	env := benchEnvelope(b)
	raw, _ := env.Encode()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := events.Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBaseline(b *testing.B) {
	env := benchEnvelope(b)
	raw, _ := env.Encode()
	b.ReportAllocs()
	for b.Loop() {
		var e events.Envelope
		if err := json.Unmarshal(raw, &e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSubjectOf(b *testing.B) {
	env := benchEnvelope(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := events.SubjectOf(&env); err != nil {
			b.Fatal(err)
		}
	}
}
