package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
)

// The fuzz targets feed arbitrary bodies through the strict decoding the
// endpoints use and the pure parsers, then run the resulting decision on
// reviews in several states: nothing may panic, and every refusal must be
// a 4xx kind (never an internal error).

var (
	fuzzDir   = directory.Demo()
	fuzzNow   = time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)
	fuzzRules = domain.DefaultRules()
)

// fuzzStates are reviews in the states commands meet.
func fuzzStates() []aggregate.Loaded[domain.ReviewState] {
	at := fuzzNow.Add(-72 * time.Hour)
	history := []events.Data{
		medreviews.CandidateIdentified{Patient: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", Practice: "L84001", PCN: "U84001",
			Criteria: []medreviews.Cohort{medreviews.CohortCareHomeResident}, CareHome: "home-willow-court",
			IdentifiedBy: "cc-nia-brown", IdentifiedByRole: "care-coordinator", IdentifiedAt: at},
		medreviews.ReviewInvited{Channel: medreviews.ChannelLetter, InvitedAt: at, RespondBy: at.AddDate(0, 0, 28), Invitation: 1},
		medreviews.ReviewBooked{AppointmentAt: at.Add(time.Hour), Mode: medreviews.ModeCareHome, ClinicianID: "pharm-ravi-shah",
			ClinicianRole: medreviews.RoleClinicalPharmacist, BookedAt: at},
		medreviews.ReviewCompleted{Mode: medreviews.ModeCareHome, ClinicianID: "pharm-ravi-shah", ClinicianRole: medreviews.RoleClinicalPharmacist,
			CompletedAt: at.Add(time.Hour), Summary: "done", SnomedCode: medreviews.SnomedStructuredMedicationReview},
		medreviews.RecommendationRecorded{RecommendationID: "rec-1", Medicine: medreviews.Medicine{Name: "Omeprazole"},
			Action: medreviews.ActionStop, Reason: "no indication", RecordedAt: at.Add(time.Hour)},
	}
	out := []aggregate.Loaded[domain.ReviewState]{{}}
	var s domain.ReviewState
	for i, e := range history {
		s = domain.EvolveReview(s, e)
		out = append(out, aggregate.Loaded[domain.ReviewState]{ID: "r", State: s, Version: int64(i + 1)})
	}
	return out
}

// decode decodes data as the endpoints do (strict, one value); false means
// the endpoint would have refused it already.
func decode(data []byte, dst any) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(dst) == nil
}

// clientError fails unless err is nil or a 4xx kind.
func clientError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if k := httpkit.KindOf(err); k.Status() < 400 || k.Status() >= 500 {
		t.Fatalf("%s: %v is a %d, want a 4xx", what, err, k.Status())
	}
}

// fuzzCommand runs one parser and its decision over every state.
func fuzzCommand[B any](f *testing.F, seeds []string, parse func(B) (aggregate.Decide[domain.ReviewState], error)) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	states := fuzzStates()
	f.Fuzz(func(t *testing.T, data []byte) {
		var body B
		if !decode(data, &body) {
			return
		}
		decide, err := parse(body)
		clientError(t, "parse", err)
		if err != nil {
			return
		}
		for _, l := range states {
			_, err := decide(l.State, l.Version)
			clientError(t, "decide in "+string(l.State.Status), err)
		}
	})
}

func FuzzParseIdentify(f *testing.F) {
	reg := patientref.Registration{Patient: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", Status: "registered", Practice: "L84001", PCN: "U84001"}
	fuzzCommand(f, []string{
		`{"nhsNumber":"999 000 0018","criteria":["care-home-resident"],"careHome":"home-willow-court","identifiedBy":"cc-nia-brown"}`,
		`{"patient":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10","criteria":["opioids","recent-fall"],"identifiedBy":"pharm-ravi-shah"}`,
		`{"nhsNumber":"9990000019","criteria":["x"],"careHome":"home-oakfield","identifiedBy":"nobody"}`,
	}, func(b identifyRequest) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseIdentify(b, fuzzDir, fuzzNow)
		if err != nil {
			return nil, err
		}
		if cmd, err = registered(cmd, reg, fuzzDir); err != nil {
			return nil, err
		}
		return domain.IdentifyCandidate(cmd), nil
	})
}

func FuzzParseInvite(f *testing.F) {
	fuzzCommand(f, []string{`{"channel":"letter"}`, `{"channel":"sms","invitedAt":"2026-03-17T09:00:00+00:00"}`},
		func(b inviteRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseInvite(b, fuzzNow)
			return domain.Invite(fuzzRules, cmd), err
		})
}

func FuzzParseBook(f *testing.F) {
	fuzzCommand(f, []string{`{"appointmentAt":"2026-04-01T09:30:00+01:00","mode":"care-home","clinicianId":"pharm-ravi-shah"}`,
		`{"appointmentAt":"2026-03-19T09:30:00Z","mode":"video","clinicianId":"para-jess-patel"}`},
		func(b bookRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseBook(b, fuzzDir, fuzzNow)
			return domain.Book(fuzzRules, cmd), err
		})
}

func FuzzParseRebook(f *testing.F) {
	fuzzCommand(f, []string{`{"appointmentAt":"2026-04-01T09:30:00+01:00","mode":"telephone","clinicianId":"gp-amara-okafor","reason":"asked"}`},
		func(b rebookRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseRebook(b, fuzzDir, fuzzNow)
			return domain.Rebook(fuzzRules, cmd), err
		})
}

func FuzzParseDidNotAttend(f *testing.F) {
	fuzzCommand(f, []string{`{"appointmentAt":"2026-03-15T11:00:00Z"}`},
		func(b didNotAttendRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseDidNotAttend(b, fuzzNow)
			return domain.RecordDidNotAttend(cmd), err
		})
}

func FuzzParseComplete(f *testing.F) {
	fuzzCommand(f, []string{`{"mode":"care-home","clinicianId":"pharm-ravi-shah","summary":"Reviewed"}`,
		`{"mode":"video","clinicianId":"gp-tom-hughes","completedAt":"2026-03-17T10:00:00Z","summary":"ok"}`},
		func(b completeRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseComplete(b, fuzzDir, fuzzNow)
			return domain.Complete(fuzzRules, cmd), err
		})
}

func FuzzParseDecline(f *testing.F) {
	fuzzCommand(f, []string{`{"reason":"Does not want one"}`, `{"reason":"no","declinedAt":"2026-03-16T10:00:00Z"}`},
		func(b declineRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseDecline(b, fuzzNow)
			return domain.Decline(cmd), err
		})
}

func FuzzParseClose(f *testing.F) {
	fuzzCommand(f, []string{`{"reason":"patient-died"}`, `{"reason":"other","note":"moved abroad"}`},
		func(b closeRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseClose(b, fuzzNow)
			return domain.Close(cmd), err
		})
}

func FuzzParseRecommend(f *testing.F) {
	fuzzCommand(f, []string{
		`{"clinicianId":"pharm-ravi-shah","recommendations":[{"medicine":{"name":"Omeprazole","dmdCode":"317302007"},"action":"stop","reason":"r","deprescribing":true}]}`,
		`{"clinicianId":"gp-amara-okafor","recommendations":[{"medicine":{"name":"Zopiclone"},"action":"switch","reason":"falls","switchTo":{"name":"Melatonin"}},{"medicine":{"name":"Amitriptyline"},"action":"change-dose","reason":"r","newDose":"10mg"}]}`,
	}, func(b recommendRequest) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseRecommend(b, fuzzDir, fuzzNow)
		return domain.Recommend(fuzzRules, cmd), err
	})
}

func FuzzParseAccept(f *testing.F) {
	fuzzCommand(f, []string{`{"prescriberId":"gp-amara-okafor"}`, `{"prescriberId":"pharm-ellen-moss","independentPrescriber":true,"enactedAt":"2026-03-18T09:00:00Z","note":"done"}`},
		func(b acceptRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseAccept(b, "rec-1", fuzzDir, fuzzNow)
			return domain.AcceptRecommendation(cmd), err
		})
}

func FuzzParseReject(f *testing.F) {
	fuzzCommand(f, []string{`{"prescriberId":"gp-amara-okafor","reason":"not now"}`, `{"prescriberId":"pharm-ellen-moss","reason":"x"}`},
		func(b rejectRequest) (aggregate.Decide[domain.ReviewState], error) {
			cmd, err := parseReject(b, "rec-1", fuzzDir, fuzzNow)
			return domain.RejectRecommendation(cmd), err
		})
}
