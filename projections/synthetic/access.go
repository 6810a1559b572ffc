package synthetic

import (
	"fmt"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
)

// Access is patient i's access audit from at, as kit/audit records it: the
// query API lets the PCN's care coordinator read the timeline, refuses a
// paramedic with no relationship, grants the paramedic break-glass and
// records the read it allows; the home-visits service records the
// paramedic's change to the visit. The events are 5, each with its stream
// and version set, their ids are the same on every call, and none is one of
// History's.
func Access(i int, at time.Time) []events.Envelope {
	patient := Patient(i)
	timeline := "/v1/patients/" + patient + "/timeline"
	nia := events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}
	jess := events.Actor{ID: "para-jess-patel", Role: "paramedic", Org: "U84001"}
	const reason = "Called to a fall; no relationship recorded yet"
	type step struct {
		service string
		actor   events.Actor
		data    events.Data
	}
	steps := []step{
		{"query", nia, access.AccessRecorded{Patient: patient, ActorID: nia.ID, Role: nia.Role, Org: nia.Org, PCN: "U84001", Action: access.ReadTimeline,
			Resource: timeline, Basis: access.Relationship(access.RegisteredInPCN), Outcome: access.Allowed, Status: 200, RequestID: requestID(i, 0), TokenID: "jti-nia"}},
		{"query", jess, access.AccessRecorded{Patient: patient, ActorID: jess.ID, Role: jess.Role, Org: jess.Org, PCN: "U84001", Action: access.ReadTimeline,
			Resource: timeline, Basis: access.NoBasis, Outcome: access.Denied, Status: 403, RequestID: requestID(i, 1), TokenID: "jti-jess"}},
		{"query", jess, access.BreakGlassGranted{Patient: patient, ActorID: jess.ID, Role: jess.Role, Org: jess.Org, Reason: reason,
			Until: at.Add(2*time.Second + 30*time.Minute)}},
		{"query", jess, access.AccessRecorded{Patient: patient, ActorID: jess.ID, Role: jess.Role, Org: jess.Org, PCN: "U84001", Action: access.ReadTimeline,
			Resource: timeline, Basis: access.BreakGlass, Reason: reason, Outcome: access.Allowed, Status: 200, RequestID: requestID(i, 3), TokenID: "jti-jess"}},
		{"homevisits", jess, access.AccessRecorded{Patient: patient, ActorID: jess.ID, Role: jess.Role, Org: jess.Org, PCN: "U84001",
			Action: access.Change("careweave.homevisits.travel_started.v1"), Resource: fmt.Sprintf("/v1/visits/%08x-0000-7000-9000-%012d/start-travel", 2, i),
			Basis: access.Relationship(access.AssignedVisit), Outcome: access.Allowed, Status: 200, RequestID: requestID(i, 4), TokenID: "jti-jess"}},
	}
	version := map[string]int64{}
	out := make([]events.Envelope, 0, len(steps))
	for n, s := range steps {
		version[s.service]++
		request := requestID(i, n)
		if n == 2 {
			request = requestID(i, 3) // the grant and the read it allows share a request
		}
		en, err := events.New(s.data, events.Metadata{ID: EventID(i, 0x100+n), Time: at.Add(time.Duration(n) * time.Second), Subject: patient, Area: s.service,
			CorrelationID: request, CausationID: "request:" + request, Actor: s.actor})
		if err != nil {
			panic(fmt.Sprintf("synthetic access %d, event %d: %v", i, n, err)) // a bug in this file
		}
		en.StreamID, en.StreamVersion = access.Stream(patient), version[s.service]
		out = append(out, en)
	}
	return out
}

func requestID(i, n int) string { return fmt.Sprintf("req-%d-%d", i, n) }
