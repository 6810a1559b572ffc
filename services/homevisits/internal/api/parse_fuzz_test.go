package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

// The request parsers are fuzzed through the real edge: the strict JSON
// decoder, then the pure parse function, then the domain's decision on a
// visit in a state that admits the command. Whatever the body, nothing
// panics and every refusal is a 4xx kind.

var (
	fuzzNow   = time.Date(2026, 10, 24, 22, 30, 0, 0, time.UTC) // the night the clocks go back
	fuzzDir   = directory.Demo()
	fuzzRules = domain.DefaultRules()
	fuzzActor = map[bool]events.Actor{
		true:  {ID: "para-jess-patel", Role: "paramedic", Org: "U84001"},
		false: {ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
	}
)

// decideFn is the shape of the domain's decide functions.
type decideFn = func(domain.VisitState, int64) ([]events.Data, error)

// fuzzState is a visit assigned to Jess, triaged urgent.
func fuzzState(status domain.Status) domain.VisitState {
	return domain.VisitState{Status: status, Patient: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", Practice: "L84001", PCN: "U84001",
		Reason: "Fall", Source: homevisits.SourcePhone, Caller: homevisits.CallerRelative, RequestedAt: fuzzNow.Add(-time.Hour),
		Urgency: "urgent", Window: homevisits.Window{NotBefore: fuzzNow, VisitBy: fuzzNow.Add(2 * time.Hour)},
		ClinicianID: "para-jess-patel", Role: homevisits.RoleParamedic}
}

// fuzzParser fuzzes one request type B: decode raw as the API does, parse,
// and decide on a visit in each of states.
func fuzzParser[B any, C any](f *testing.F, seeds []string, parse func(B, aggregate.Meta) (C, error),
	decide func(C) decideFn, states ...domain.Status) {
	for _, s := range seeds {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, raw []byte, clinician bool) {
		var body B
		r := httptest.NewRequest(http.MethodPost, "/v1/visits", bytes.NewReader(raw))
		r.Header.Set("Content-Type", "application/json")
		if err := httpkit.DecodeJSON(httptest.NewRecorder(), r, &body, 0); err != nil {
			clientError(t, "decode", err)
			return
		}
		meta := aggregate.Meta{Actor: fuzzActor[clinician], Now: fuzzNow}
		cmd, err := parse(body, meta)
		if err != nil {
			clientError(t, "parse", err)
			return
		}
		for _, st := range states {
			version := int64(0)
			if st != "" {
				version = 3
			}
			if _, err := decide(cmd)(fuzzState(st), version); err != nil {
				clientError(t, "decide in "+string(st), err)
			}
		}
	})
}

func clientError(t *testing.T, what string, err error) {
	t.Helper()
	if s := httpkit.KindOf(err).Status(); s < 400 || s >= 500 {
		t.Fatalf("%s: %v is a %d, want a 4xx", what, err, s)
	}
}

func FuzzParseRequestVisit(f *testing.F) {
	reg := patientref.Registration{Patient: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", Practice: "L84001", PCN: "U84001"}
	fuzzParser(f, []string{
		`{"nhsNumber":"999 000 0018","reason":"Fall at home","source":"phone","caller":"relative"}`,
		`{"patient":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10","practice":"L84001","careHome":"home-willow-court","reason":"Confused","source":"care-home","caller":"care-home-staff"}`,
		`{"nhsNumber":"9990000019","reason":"x","source":"111","caller":"professional"}`,
	}, func(b requestVisitRequest, m aggregate.Meta) (domain.RequestVisitCmd, error) {
		cmd, err := parseRequestVisit(b, fuzzDir, m.Now)
		if err != nil {
			return cmd, err
		}
		return completeRequestVisit(cmd, reg, fuzzDir)
	}, domain.RequestVisit, "")
}

func FuzzParseTriageVisit(f *testing.F) {
	fuzzParser(f, []string{
		`{"urgency":"urgent","notes":"Possible fracture"}`,
		`{"triagedBy":"gp-amara-okafor","urgency":"routine","notBefore":"2026-10-25T00:30:00+01:00","visitBy":"2026-10-25T01:30:00Z"}`,
		`{"triagedBy":"gp-tom-hughes","outcome":"advice","notes":"Advice by phone"}`,
		`{"urgency":"same-day","visitBy":"2026-10-24T21:00:00-01:00"}`,
	}, func(b triageVisitRequest, m aggregate.Meta) (domain.TriageVisitCmd, error) {
		m.Actor = events.Actor{ID: "gp-amara-okafor", Role: m.Actor.Role}
		if m.Actor.Role == "paramedic" {
			m.Actor.Role = "gp"
		}
		return parseTriageVisit(b, fuzzDir, fuzzRules, m)
	}, func(c domain.TriageVisitCmd) decideFn { return domain.TriageVisit(fuzzRules, c) },
		domain.StatusRequested, domain.StatusAssigned)
}

func FuzzParseAssignVisit(f *testing.F) {
	fuzzParser(f, []string{`{"clinicianId":"para-owen-jones"}`, `{"clinicianId":"pharm-ravi-shah"}`},
		func(b assignVisitRequest, m aggregate.Meta) (domain.AssignVisitCmd, error) {
			return parseAssignVisit(b, fuzzDir, m)
		},
		func(c domain.AssignVisitCmd) decideFn { return domain.AssignVisit(fuzzRules, c) },
		domain.StatusTriaged)
}

func FuzzParseReassignVisit(f *testing.F) {
	fuzzParser(f, []string{`{"clinicianId":"para-owen-jones","reason":"Jess off sick"}`, `{"clinicianId":"dn-maria-silva"}`},
		func(b reassignVisitRequest, m aggregate.Meta) (domain.ReassignVisitCmd, error) {
			return parseReassignVisit(b, fuzzDir, m)
		},
		func(c domain.ReassignVisitCmd) decideFn { return domain.ReassignVisit(fuzzRules, c) },
		domain.StatusAssigned, domain.StatusDeclined)
}

func FuzzParseAcceptVisit(f *testing.F) {
	fuzzParser(f, []string{`{}`, `{"clinicianId":"para-jess-patel"}`},
		func(b acceptVisitRequest, m aggregate.Meta) (domain.AcceptVisitCmd, error) {
			return parseAcceptVisit(b, fuzzDir, m)
		},
		domain.AcceptVisit, domain.StatusAssigned)
}

func FuzzParseDeclineVisit(f *testing.F) {
	fuzzParser(f, []string{`{"reason":"On another call"}`, `{"clinicianId":"para-jess-patel","reason":"Off sick"}`},
		func(b declineVisitRequest, m aggregate.Meta) (domain.DeclineVisitCmd, error) {
			return parseDeclineVisit(b, fuzzDir, m)
		},
		domain.DeclineVisit, domain.StatusAccepted)
}

func FuzzParseMarkEnRoute(f *testing.F) {
	fuzzParser(f, []string{`{}`, `{"clinicianId":"para-jess-patel"}`},
		func(b markEnRouteRequest, m aggregate.Meta) (domain.MarkEnRouteCmd, error) {
			return parseMarkEnRoute(b, fuzzDir, m)
		},
		domain.MarkEnRoute, domain.StatusAssigned)
}

func FuzzParseMarkOnSite(f *testing.F) {
	fuzzParser(f, []string{`{}`, `{"clinicianId":"para-jess-patel"}`},
		func(b markOnSiteRequest, m aggregate.Meta) (domain.MarkOnSiteCmd, error) {
			return parseMarkOnSite(b, fuzzDir, m)
		},
		domain.MarkOnSite, domain.StatusEnRoute)
}

func FuzzParseCompleteVisit(f *testing.F) {
	fuzzParser(f, []string{`{"outcome":"managed-at-home","notes":"Analgesia"}`, `{"clinicianId":"para-jess-patel","outcome":"conveyed-to-hospital"}`},
		func(b completeVisitRequest, m aggregate.Meta) (domain.CompleteVisitCmd, error) {
			return parseCompleteVisit(b, fuzzDir, m)
		},
		domain.CompleteVisit, domain.StatusOnSite)
}

func FuzzParseRecordNoAccess(f *testing.F) {
	fuzzParser(f, []string{`{"reason":"No answer"}`, `{"clinicianId":"para-jess-patel","reason":"Refused entry"}`},
		func(b recordNoAccessRequest, m aggregate.Meta) (domain.RecordNoAccessCmd, error) {
			return parseRecordNoAccess(b, fuzzDir, m)
		},
		domain.RecordNoAccess, domain.StatusOnSite)
}

func FuzzParseCancelVisit(f *testing.F) {
	fuzzParser(f, []string{`{"reason":"patient-cancelled"}`, `{"reason":"other","notes":"Moved away"}`,
		`{"reason":"duplicate","duplicateOf":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d11"}`},
		func(b cancelVisitRequest, m aggregate.Meta) (domain.CancelVisitCmd, error) {
			return parseCancelVisit(b, fuzzDir, m)
		},
		domain.CancelVisit, domain.StatusRequested, domain.StatusOnSite)
}

func FuzzParseEscalateVisit(f *testing.F) {
	fuzzParser(f, []string{`{"to":"999","reason":"Chest pain"}`, `{"to":"gp","reason":"Needs GP review"}`, `{"to":"ucr","reason":"Falls"}`},
		func(b escalateVisitRequest, m aggregate.Meta) (domain.EscalateVisitCmd, error) {
			return parseEscalateVisit(b, fuzzDir, m)
		},
		domain.EscalateVisit, domain.StatusRequested, domain.StatusTriaged)
}
