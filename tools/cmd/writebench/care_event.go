package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
)

// visitCompleted is a synthetic home-visit completion, shaped like the events
// the services record. Every identifier is random and opaque: no NHS
// numbers, names or clinical terms, even synthetic ones.
type visitCompleted struct {
	VisitID       string       `json:"visitId"`
	PatientRef    string       `json:"patientRef"`
	PracticeODS   string       `json:"practiceOds"`
	ClinicianRef  string       `json:"clinicianRef"`
	ClinicianRole string       `json:"clinicianRole"`
	RequestedAt   time.Time    `json:"requestedAt"`
	ArrivedAt     time.Time    `json:"arrivedAt"`
	CompletedAt   time.Time    `json:"completedAt"`
	Outcome       string       `json:"outcome"`
	FollowUp      followUp     `json:"followUp"`
	Observations  observations `json:"observations"`
	// Summary is filler that brings the data to the configured size.
	Summary string `json:"summary"`
}

type followUp struct {
	Team  string    `json:"team"`
	DueBy time.Time `json:"dueBy"`
}

type observations struct {
	HeartRate   int     `json:"heartRate"`
	Respiratory int     `json:"respiratoryRate"`
	SpO2        int     `json:"spo2"`
	TempC       float64 `json:"temperatureC"`
	NEWS2       int     `json:"news2"`
}

// visitCompletedType is the synthetic event's wire name.
const visitCompletedType = "careweave.homevisits.visit_completed.v1"

func (visitCompleted) EventType() string { return visitCompletedType }

// stream is one synthetic aggregate a writer appends to. The writer tracks
// its version, so appends never conflict.
type stream struct {
	id      string
	version int64
	// template is a valid envelope for the stream; each event copies it and
	// gets its own id and time.
	template events.Envelope
	// encoded is the template encoded once, the baseline's row payload.
	encoded []byte
}

var (
	outcomes = []string{"managed_at_home", "prescription_issued", "handed_back_to_gp", "referred_to_ucr", "conveyed"}
	roles    = []string{"paramedic", "gp", "advanced_clinical_practitioner", "district_nurse"}
	fillText = "synthetic load-test visit note, no patient data; "
)

// newStreams returns n streams whose events carry about dataSize bytes of
// data each.
func newStreams(n, dataSize int, now time.Time) ([]stream, error) {
	out := make([]stream, n)
	for i := range out {
		patient := events.NewID(now).String()
		area := fmt.Sprintf("U%05d", rand.IntN(100_000))
		data := visitCompleted{
			VisitID:       events.NewID(now).String(),
			PatientRef:    patient,
			PracticeODS:   fmt.Sprintf("A%05d", rand.IntN(100_000)),
			ClinicianRef:  events.NewID(now).String(),
			ClinicianRole: roles[rand.IntN(len(roles))],
			RequestedAt:   now.Add(-4 * time.Hour).UTC(),
			ArrivedAt:     now.Add(-time.Hour).UTC(),
			CompletedAt:   now.UTC(),
			Outcome:       outcomes[rand.IntN(len(outcomes))],
			FollowUp:      followUp{Team: "community-" + area, DueBy: now.Add(48 * time.Hour).UTC()},
			Observations:  observations{HeartRate: 60 + rand.IntN(40), Respiratory: 12 + rand.IntN(8), SpO2: 92 + rand.IntN(8), TempC: 36.5, NEWS2: rand.IntN(5)},
		}
		raw, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("encode synthetic event: %w", err)
		}
		if pad := dataSize - len(raw); pad > 0 {
			data.Summary = strings.Repeat(fillText, pad/len(fillText)+1)[:pad]
		}
		env, err := events.New(data, events.Metadata{
			ID:            events.NewID(now),
			Time:          now,
			Subject:       patient,
			Area:          area,
			CorrelationID: events.NewID(now).String(),
			Actor:         events.Actor{ID: "writebench", Role: "system", Org: area},
		})
		if err != nil {
			return nil, err
		}
		s := stream{id: "homevisit-" + data.VisitID, template: env}
		s.template.StreamID, s.template.StreamVersion = s.id, 1
		if s.encoded, err = s.template.Encode(); err != nil {
			return nil, fmt.Errorf("encode synthetic envelope: %w", err)
		}
		out[i] = s
	}
	return out, nil
}

// next returns a new event of the stream, ready to append.
func (s *stream) next(now time.Time) events.Envelope {
	e := s.template
	e.ID = events.NewID(now)
	e.Time = now
	return e
}
