package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

// The request parsers are pure: whatever the body, they answer a command or
// an error of a 4xx kind, never a panic. Each fuzz target decodes the body
// as the API does (strict JSON) and runs the parser, then the domain's
// decision on an empty and on a scheduled/admitted state.

var (
	fuzzDir   = directory.Demo()
	fuzzRules = domain.DefaultRules()
	fuzzNow   = time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	scheduled = domain.RoundState{ID: "r1", Status: domain.RoundStatusScheduled, CareHomeID: "home-willow-court", Area: "U84001", Week: "2026-W48"}
	admitted  = domain.ResidencyState{Patient: "p1", CareHomeID: "home-willow-court", Area: "U84001", Status: domain.ResidencyStatusAdmitted,
		Stay: 1, AdmittedAt: fuzzNow.Add(-48 * time.Hour), DueOn: "2026-12-02"}
)

// decode decodes body strictly into dst, as httpkit.DecodeJSON does.
func decode(body []byte, dst any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(dst) == nil
}

// check fails on an error that is not the caller's fault.
func check(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if st := httpkit.KindOf(err).Status(); st < 400 || st > 499 {
		t.Fatalf("error %v has status %d, want 4xx", err, st)
	}
}

func FuzzParseScheduleRound(f *testing.F) {
	f.Add([]byte(`{"careHomeId":"home-willow-court","plannedStart":"2026-11-24T10:00:00Z"}`))
	f.Add([]byte(`{"careHomeId":"home-oakfield","week":"2026-W48","plannedStart":"2026-11-24T10:00:00+01:00","clinicalLead":"acp-sam-reid"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req scheduleRoundRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseScheduleRound(req, fuzzDir, fuzzRules, "r1")
		check(t, err)
		if err == nil {
			_, err = domain.ScheduleRound(cmd, fuzzRules)(domain.RoundState{}, 0)
			check(t, err)
		}
	})
}

func FuzzParseNominateResident(f *testing.F) {
	f.Add([]byte(`{"patient":"p1","nominatedBy":"home","reason":"falls","priority":"high"}`))
	f.Add([]byte(`{"nhsNumber":"999 000 0018","nominatedBy":"mdt","reason":"weight loss","priority":"routine"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req nominateResidentRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseNominateResident(req)
		check(t, err)
		if err == nil {
			_, err = domain.NominateResident(cmd)(scheduled, 1)
			check(t, err)
		}
	})
}

func FuzzParseWithdrawNomination(f *testing.F) {
	f.Add([]byte(`{"reason":"seen by GP"}`), "p1")
	f.Fuzz(func(t *testing.T, body []byte, patient string) {
		var req withdrawNominationRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseWithdrawNomination(req, patient)
		check(t, err)
		if err == nil {
			_, err = domain.WithdrawNomination(cmd)(scheduled, 1)
			check(t, err)
		}
	})
}

func FuzzParseHoldRound(f *testing.F) {
	f.Add([]byte(`{"attendees":[{"clinicianId":"gp-amara-okafor"},{"clinicianId":"pharm-ravi-shah"}],"startedAt":"2026-11-24T10:00:00Z","endedAt":"2026-11-24T12:00:00Z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req holdRoundRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseHoldRound(req, fuzzDir, fuzzNow)
		check(t, err)
		if err == nil {
			_, err = domain.HoldRound(cmd)(scheduled, 1)
			check(t, err)
		}
	})
}

func FuzzParseReviewResident(f *testing.F) {
	f.Add([]byte(`{"reviewedBy":"gp-amara-okafor","outcome":"medication changed","followUp":"bloods"}`), "p1")
	f.Fuzz(func(t *testing.T, body []byte, patient string) {
		var req reviewResidentRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseReviewResident(req, fuzzDir, patient)
		check(t, err)
		if err == nil {
			_, err = domain.ReviewResident(cmd)(scheduled, 1)
			check(t, err)
		}
	})
}

func FuzzParseRecordNotReviewed(f *testing.F) {
	f.Add([]byte(`{"reason":"asleep"}`), "p1")
	f.Add([]byte(`{"reason":"other","note":"at the dentist"}`), "p1")
	f.Fuzz(func(t *testing.T, body []byte, patient string) {
		var req recordNotReviewedRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseRecordNotReviewed(req, patient)
		check(t, err)
		if err == nil {
			_, err = domain.RecordNotReviewed(cmd)(scheduled, 1)
			check(t, err)
		}
	})
}

func FuzzParseRaiseAction(f *testing.F) {
	f.Add([]byte(`{"actionId":"a1","patient":"p1","description":"bloods","ownerTeamId":"team-severn-ict","dueOn":"2026-12-01"}`))
	f.Add([]byte(`{"patient":"p1","description":"review meds","ownerClinicianId":"pharm-ravi-shah","dueOn":"2026-12-01"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req raiseActionRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseRaiseAction(req, fuzzDir, "generated", fuzzNow)
		check(t, err)
		if err == nil {
			check(t, teamCovers(fuzzDir, cmd.OwnerTeamID, "U84001"))
			_, err = domain.RaiseAction(cmd, fuzzRules)(scheduled, 1)
			check(t, err)
		}
	})
}

func FuzzParseCompleteAction(f *testing.F) {
	f.Add([]byte(`{"note":"done"}`), "a1")
	f.Add([]byte(`{"note":"done","completedAt":"2026-11-24T13:00:00Z"}`), "a1")
	f.Fuzz(func(t *testing.T, body []byte, action string) {
		var req completeActionRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseCompleteAction(req, action, fuzzNow)
		check(t, err)
		if err == nil {
			_, err = domain.CompleteAction(cmd, fuzzRules)(scheduled, 1)
			check(t, err)
		}
	})
}

func FuzzParseCancelRound(f *testing.F) {
	f.Add([]byte(`{"reason":"GP unwell"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req cancelRoundRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseCancelRound(req)
		check(t, err)
		if err == nil {
			_, err = domain.CancelRound(cmd)(scheduled, 1)
			check(t, err)
		}
	})
}

func FuzzParseAdmitResident(f *testing.F) {
	f.Add([]byte(`{"nhsNumber":"9990000018","careHomeId":"home-willow-court"}`))
	f.Add([]byte(`{"patient":"p1","careHomeId":"home-meadowbank","admittedAt":"2026-11-23T09:00:00Z","readmission":true}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req admitResidentRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseAdmitResident(req, fuzzDir, fuzzNow)
		check(t, err)
		if err == nil {
			if cmd.Patient == "" {
				cmd.Patient = "p1" // the registry's answer
			}
			_, err = domain.AdmitResident(cmd, fuzzRules)(domain.ResidencyState{}, 0)
			check(t, err)
		}
	})
}

func FuzzParseCompleteAssessment(f *testing.F) {
	f.Add([]byte(`{"assessedBy":"pharm-ravi-shah"}`))
	f.Add([]byte(`{"assessedBy":"gp-amara-okafor","completedAt":"2026-11-24T11:00:00Z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req completeAssessmentRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseCompleteAssessment(req, fuzzDir, fuzzNow)
		check(t, err)
		if err == nil {
			_, err = domain.CompleteAssessment(cmd, fuzzRules)(admitted, 1)
			check(t, err)
		}
	})
}

func FuzzParseAgreeCarePlan(f *testing.F) {
	f.Add([]byte(`{"agreedBy":"gp-amara-okafor","agreedWith":"family"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req agreeCarePlanRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseAgreeCarePlan(req, fuzzDir, fuzzNow)
		check(t, err)
		if err == nil {
			_, err = domain.AgreeCarePlan(cmd, fuzzRules)(admitted, 1)
			check(t, err)
		}
	})
}

func FuzzParseDischargeResident(f *testing.F) {
	f.Add([]byte(`{"destination":"hospital"}`))
	f.Add([]byte(`{"destination":"other","note":"moved abroad","dischargedAt":"2026-11-24T09:00:00Z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req dischargeResidentRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseDischargeResident(req, fuzzNow)
		check(t, err)
		if err == nil {
			_, err = domain.DischargeResident(cmd)(admitted, 1)
			check(t, err)
		}
	})
}

func FuzzParseRecordDeath(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"diedAt":"2026-11-24T03:00:00Z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req recordDeathRequest
		if !decode(body, &req) {
			return
		}
		cmd, err := parseRecordDeath(req, fuzzNow)
		check(t, err)
		if err == nil {
			_, err = domain.RecordDeath(cmd)(admitted, 1)
			check(t, err)
		}
	})
}
