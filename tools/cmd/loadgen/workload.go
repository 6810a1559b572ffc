package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/nhsno"
)

// The people the workload acts as: the demo PCN (U84001) of kit/directory.
const (
	coordinator = "cc-nia-brown"       // care coordinator
	dischargeCo = "dc-hannah-lee"      // the acute trust's (RTE) discharge coordinator
	ictNurse    = "cn-kate-ward"       // team-severn-ict
	socialWork  = "sw-david-ross"      // team-severn-social
	hospital    = "RTE01"              // a site of the trust RTE
	pharmacy    = "FQA12"              // a community pharmacy's ODS code
	ictTeam     = "team-severn-ict"    // community teams covering U84001
	socialTeam  = "team-severn-social" //
	roundLead   = "gp-amara-okafor"    // used when a home has no lead in the list below
	practiceGPs = "gp-amara-okafor gp-tom-hughes"
)

var (
	gps         = []string{"gp-amara-okafor", "gp-tom-hughes"}
	pharmacists = []string{"pharm-ravi-shah", "pharm-ellen-moss"}
	visiting    = []string{"para-jess-patel", "para-owen-jones", "para-lucy-chen", "acp-sam-reid"}
	practices   = []string{"L84001", "L84002", "L84003", "L84004"}
	// homes are the PCN's care homes, with their clinical lead and beds.
	homes = []careHome{{"home-willow-court", "gp-amara-okafor", 48}, {"home-meadowbank", "gp-tom-hughes", 62}, {"home-the-laurels", "gp-amara-okafor", 30}}
)

// people are everyone the workload needs a token for.
func people() []string {
	out := []string{coordinator, dischargeCo, ictNurse, socialWork}
	out = append(out, gps...)
	out = append(out, pharmacists...)
	return append(out, visiting...)
}

type careHome struct {
	ID, Lead string
	Beds     int
}

// Journey kinds and how many of every hundred journeys are of each kind.
const (
	kindDischarge = "discharge"
	kindVisit     = "home-visit"
	kindReview    = "medication-review"
	kindRound     = "care-home-round"
)

var journeyMix = []struct {
	kind   string
	weight int
}{{kindDischarge, 30}, {kindVisit, 40}, {kindReview, 25}, {kindRound, 5}}

// pathwayMix is the national split of discharges across the Discharge to
// Assess pathways, in percent: P0 50, P1 45, P2 4, P3 1.
var pathwayMix = []struct {
	pathway discharge.Pathway
	weight  int
}{{discharge.PathwayP0, 50}, {discharge.PathwayP1, 45}, {discharge.PathwayP2, 4}, {discharge.PathwayP3, 1}}

// syntheticNumber returns patient i's NHS number: the i-th valid number from
// 999 200 0000 up (the never-issued 999 range, clear of the READMEs' and
// the demo seed's), so every run uses the same patients.
func syntheticNumbers(n int) []string {
	out := make([]string, 0, n)
	for k := 999_200_000; len(out) < n && k <= 999_999_999; k++ {
		nine := fmt.Sprint(k)
		if c, ok := nhsno.CheckDigit(nine); ok {
			out = append(out, nine+string(c))
		}
	}
	return out
}

// command is one HTTP command of a journey.
type command struct {
	Name    string // e.g. "discharge.plan", for the report
	Service string
	Method  string
	Path    string
	Actor   string
	Create  bool   // a creating request: sends an Idempotency-Key, answers the id in IDField
	IDField string // where a created aggregate's id is in the answer
	Body    any
	// Patient is the index of the patient whose timeline the events go to.
	Patient int
	// Types are the event types the command records, in order; Entries
	// says whether they appear on the patient's timeline (round-level
	// care-home events do not).
	Types   []string
	Entries bool
}

// step makes a journey's next command, at the time it is sent (clinical
// times are the send time, so every patient's events occur in the order
// their commands were sent).
type step func(j *journey, now time.Time) command

// journey is a short sequence of commands on one aggregate, for one patient
// (or, for a round, several residents), sent one after another.
type journey struct {
	ID       int
	Kind     string
	Service  string
	Aggr     string // the aggregate's id, from the creating command's answer
	Version  int64  // the aggregate's version (ETag) after the last command
	Patients []int  // held by this journey until it ends
	steps    []step
	next     int
}

func (j *journey) done() bool { return j.next >= len(j.steps) }

// ts formats a clinical time with full precision: the timeline orders
// entries by it.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// workload makes journeys, deterministically from the seed. It is used by
// the scheduler alone.
type workload struct {
	rng      *rand.Rand
	patients int
	busy     []bool
	hadStay  []bool           // admitted in this run: a later admission is elective, so no readmission lands on an earlier stay
	resident map[int][]int    // home index → residents (patient indexes)
	homeOf   map[int]careHome // resident → home
	nextID   int
}

func newWorkload(seed int64, patients int, residents map[int][]int) *workload {
	w := &workload{rng: rand.New(rand.NewPCG(uint64(seed), 0x10ad9e11)), patients: patients, busy: make([]bool, patients),
		hadStay: make([]bool, patients), resident: residents, homeOf: map[int]careHome{}}
	for h, rs := range residents {
		for _, p := range rs {
			w.homeOf[p] = homes[h]
		}
	}
	return w
}

// residentsFor spreads about one patient in twenty across the homes, up to
// their beds: patients 0, 20, 40, ... live in a home.
func residentsFor(patients int) map[int][]int {
	out := map[int][]int{}
	h := 0
	for p := 0; p < patients; p += 20 {
		for tries := 0; tries < len(homes) && len(out[h]) >= homes[h].Beds; tries++ {
			h = (h + 1) % len(homes)
		}
		if len(out[h]) >= homes[h].Beds {
			break
		}
		out[h] = append(out[h], p)
		h = (h + 1) % len(homes)
	}
	return out
}

// release frees a finished journey's patients.
func (w *workload) release(j *journey) {
	for _, p := range j.Patients {
		w.busy[p] = false
	}
}

// newJourney starts a journey for patients nobody else is acting on, or
// returns nil when it finds none free.
func (w *workload) newJourney() *journey {
	n := w.rng.IntN(100)
	kind := journeyMix[len(journeyMix)-1].kind
	for _, m := range journeyMix {
		if n < m.weight {
			kind = m.kind
			break
		}
		n -= m.weight
	}
	var j *journey
	if kind == kindRound {
		j = w.round()
	} else {
		p, ok := w.freePatient()
		if !ok {
			return nil
		}
		switch kind {
		case kindDischarge:
			j = w.discharge(p)
		case kindVisit:
			j = w.visit(p)
		default:
			j = w.review(p)
		}
	}
	if j == nil {
		return nil
	}
	w.nextID++
	j.ID = w.nextID
	for _, p := range j.Patients {
		w.busy[p] = true
	}
	return j
}

func (w *workload) freePatient() (int, bool) {
	start := w.rng.IntN(w.patients)
	for k := 0; k < w.patients; k++ {
		p := (start + k) % w.patients
		if !w.busy[p] {
			return p, true
		}
	}
	return 0, false
}

// discharge: admitted, discharge planned on a pathway, discharged; on P1-P3
// a community follow-up routed to a team, perhaps a Discharge Medicines
// Service referral, the summary, and the team completing the follow-up
// (closing the stay). On P0 the summary closes the stay.
func (w *workload) discharge(p int) *journey {
	r := w.rng
	n := r.IntN(100)
	pathway := pathwayMix[0].pathway
	for _, m := range pathwayMix {
		if n < m.weight {
			pathway = m.pathway
			break
		}
		n -= m.weight
	}
	method := discharge.AdmissionEmergency
	if w.hadStay[p] || r.IntN(5) == 0 {
		method = discharge.AdmissionElective
	}
	w.hadStay[p] = true
	ward := fmt.Sprintf("Ward %d", 1+r.IntN(12))
	dest, home, needs, team, member := discharge.DestinationUsualResidence, "", []string(nil), ictTeam, ictNurse
	switch pathway {
	case discharge.PathwayP1:
		needs = []string{pick(r, []string{"reablement", "district-nursing", "medication-support"})}
	case discharge.PathwayP2:
		dest, needs = discharge.DestinationCommunityBed, []string{"reablement", "equipment"}
	case discharge.PathwayP3:
		dest, home, needs, team, member = discharge.DestinationCareHome, pick(r, homes).ID, []string{"social-care"}, socialTeam, socialWork
	}
	refer := pathway != discharge.PathwayP0 && r.IntN(2) == 0
	outcome := pick(r, []string{"needs-met", "ongoing-support"})
	transport := pick(r, []string{"own-transport", "hospital-transport", "ambulance"})
	j := &journey{Kind: kindDischarge, Service: "discharge", Patients: []int{p}}
	path := func(j *journey, sub string) string { return "/v1/stays/" + j.Aggr + sub }
	cmd := func(name, method, sub, who string, body any, types ...string) step {
		return func(j *journey, now time.Time) command {
			return command{Name: "discharge." + name, Service: "discharge", Method: method, Path: path(j, sub), Actor: who, Body: body,
				Patient: p, Types: types, Entries: true}
		}
	}
	j.steps = append(j.steps,
		func(j *journey, now time.Time) command {
			return command{Name: "discharge.admit", Service: "discharge", Method: http.MethodPost, Path: "/v1/stays", Actor: dischargeCo,
				Create: true, IDField: "id", Patient: p, Entries: true, Types: []string{discharge.PatientAdmitted{}.EventType()},
				Body: map[string]any{"patient": "", "hospitalSite": hospital, "ward": ward, "admittedAt": ts(now), "admissionMethod": method}}
		},
		func(j *journey, now time.Time) command {
			c := cmd("plan", http.MethodPut, "/plan", dischargeCo, map[string]any{"pathway": pathway, "expectedDate": now.UTC().Format(time.DateOnly)},
				discharge.DischargePlanned{}.EventType())(j, now)
			return c
		},
		func(j *journey, now time.Time) command {
			body := map[string]any{"dischargedAt": ts(now), "method": transport, "destination": dest, "pathway": pathway}
			if home != "" {
				body["careHomeId"] = home
			}
			if needs != nil {
				body["needs"] = needs
			}
			return cmd("discharge", http.MethodPost, "/discharge", dischargeCo, body, discharge.PatientDischarged{}.EventType())(j, now)
		})
	if pathway == discharge.PathwayP0 {
		j.steps = append(j.steps, func(j *journey, now time.Time) command {
			return cmd("summary", http.MethodPost, "/summary", dischargeCo, map[string]any{"receivedAt": ts(now)},
				discharge.DischargeSummaryReceived{}.EventType(), discharge.StayClosed{}.EventType())(j, now)
		})
		return j
	}
	j.steps = append(j.steps, cmd("follow-up", http.MethodPut, "/follow-up", dischargeCo, map[string]any{"teamId": team}, discharge.FollowUpAssigned{}.EventType()))
	if refer {
		j.steps = append(j.steps, func(j *journey, now time.Time) command {
			return cmd("medicines-referral", http.MethodPost, "/medicines-referral", dischargeCo, map[string]any{"pharmacy": pharmacy, "referredAt": ts(now)},
				discharge.MedicinesServiceReferred{}.EventType())(j, now)
		})
	}
	j.steps = append(j.steps,
		func(j *journey, now time.Time) command {
			return cmd("summary", http.MethodPost, "/summary", dischargeCo, map[string]any{"receivedAt": ts(now)}, discharge.DischargeSummaryReceived{}.EventType())(j, now)
		},
		func(j *journey, now time.Time) command {
			return cmd("follow-up-completion", http.MethodPost, "/follow-up/completion", member,
				map[string]any{"clinicianId": member, "outcome": outcome, "completedAt": ts(now)},
				discharge.FollowUpCompleted{}.EventType(), discharge.StayClosed{}.EventType())(j, now)
		})
	return j
}

var (
	visitReasons = []string{"Fall at home, now unsteady", "Breathless, worse than usual", "Confused since yesterday", "Leg ulcer needs review",
		"Not eating or drinking", "Chest infection symptoms", "Pain not controlled", "Catheter problem"}
	callers       = []string{"patient", "relative", "carer", "professional"}
	urgencies     = []string{"urgent", "same-day", "routine"}
	visitOutcomes = []string{"managed-at-home", "prescription-issued", "handed-back-to-gp", "referred-to-community-team"}
)

// visit: requested by the coordinator, triaged by a GP (one in ten without
// a visit: advice), assigned to a visiting clinician, who accepts, sets
// off, arrives and completes it.
func (w *workload) visit(p int) *journey {
	r := w.rng
	reason, caller, urgency, gp, who, outcome := pick(r, visitReasons), pick(r, callers), pick(r, urgencies), pick(r, gps), pick(r, visiting), pick(r, visitOutcomes)
	advice := r.IntN(10) == 0
	j := &journey{Kind: kindVisit, Service: "homevisits", Patients: []int{p}}
	act := func(name, who string, body map[string]any, typ string) step {
		return func(j *journey, now time.Time) command {
			return command{Name: "homevisits." + name, Service: "homevisits", Method: http.MethodPost, Path: "/v1/visits/" + j.Aggr + "/" + name,
				Actor: who, Body: body, Patient: p, Types: []string{typ}, Entries: true}
		}
	}
	j.steps = append(j.steps, func(j *journey, now time.Time) command {
		return command{Name: "homevisits.request", Service: "homevisits", Method: http.MethodPost, Path: "/v1/visits", Actor: coordinator,
			Create: true, IDField: "visit", Patient: p, Entries: true, Types: []string{homevisits.VisitRequested{}.EventType()},
			Body: map[string]any{"patient": "", "reason": reason, "source": "phone", "caller": caller}}
	})
	if advice {
		return append1(j, act("triage", gp, map[string]any{"outcome": "advice", "notes": "Self-care advice given by phone"}, homevisits.TriagedWithoutVisit{}.EventType()))
	}
	j.steps = append(j.steps,
		act("triage", gp, map[string]any{"urgency": urgency}, homevisits.VisitTriaged{}.EventType()),
		act("assign", coordinator, map[string]any{"clinicianId": who}, homevisits.VisitAssigned{}.EventType()),
		act("accept", who, map[string]any{}, homevisits.AssignmentAccepted{}.EventType()),
		act("en-route", who, map[string]any{}, homevisits.TravelStarted{}.EventType()),
		act("on-site", who, map[string]any{}, homevisits.ClinicianArrived{}.EventType()),
		act("complete", who, map[string]any{"outcome": outcome}, homevisits.VisitCompleted{}.EventType()))
	return j
}

func append1(j *journey, s step) *journey { j.steps = append(j.steps, s); return j }

var (
	criteria  = []string{"polypharmacy-10-plus", "recent-fall", "opioids", "recent-admission"}
	medicines = []string{"Amlodipine 10mg tablets", "Omeprazole 20mg capsules", "Amitriptyline 25mg tablets", "Zopiclone 7.5mg tablets",
		"Furosemide 40mg tablets", "Simvastatin 40mg tablets", "Co-codamol 30mg/500mg tablets"}
)

// review: a candidate identified by a pharmacist, invited by the
// coordinator, the review completed, one to three per-medicine
// recommendations, and a GP's decision on each.
func (w *workload) review(p int) *journey {
	r := w.rng
	pharm, gp := pick(r, pharmacists), pick(r, gps)
	crit := []string{pick(r, criteria)}
	nrec := 1 + r.IntN(3)
	recs := make([]map[string]any, nrec)
	accept := make([]bool, nrec)
	first := r.IntN(len(medicines)) // distinct medicines: a review recommends once per medicine
	for i := range recs {
		recs[i] = map[string]any{"medicine": map[string]any{"name": medicines[(first+i)%len(medicines)]}, "action": "stop", "reason": "No longer indicated"}
		if i%2 == 1 {
			recs[i]["action"], recs[i]["newDose"], recs[i]["reason"] = "change-dose", "Half the dose", "Postural hypotension"
		}
		accept[i] = r.IntN(4) != 0
	}
	j := &journey{Kind: kindReview, Service: "medreviews", Patients: []int{p}}
	act := func(name, sub, who string, body map[string]any, types ...string) step {
		return func(j *journey, now time.Time) command {
			return command{Name: "medreviews." + name, Service: "medreviews", Method: http.MethodPost, Path: "/v1/reviews/" + j.Aggr + sub,
				Actor: who, Body: body, Patient: p, Types: types, Entries: true}
		}
	}
	recorded := make([]string, nrec)
	for i := range recorded {
		recorded[i] = medreviews.RecommendationRecorded{}.EventType()
	}
	j.steps = append(j.steps,
		func(j *journey, now time.Time) command {
			return command{Name: "medreviews.identify", Service: "medreviews", Method: http.MethodPost, Path: "/v1/reviews", Actor: pharm,
				Create: true, IDField: "review", Patient: p, Entries: true, Types: []string{medreviews.CandidateIdentified{}.EventType()},
				Body: map[string]any{"patient": "", "criteria": crit, "identifiedBy": pharm}}
		},
		act("invite", "/invite", coordinator, map[string]any{"channel": pick(r, []string{"letter", "phone", "sms"})}, medreviews.ReviewInvited{}.EventType()),
		act("complete", "/complete", pharm, map[string]any{"mode": pick(r, []string{"telephone", "face-to-face", "video"}), "clinicianId": pharm,
			"summary": "Structured medication review completed"}, medreviews.ReviewCompleted{}.EventType()),
		act("recommend", "/recommendations", pharm, map[string]any{"clinicianId": pharm, "recommendations": recs}, recorded...))
	for i := range recs {
		id := fmt.Sprintf("rec-%d", i+1)
		if accept[i] {
			j.steps = append(j.steps, act("accept", "/recommendations/"+id+"/accept", gp, map[string]any{"prescriberId": gp}, medreviews.RecommendationAccepted{}.EventType()))
		} else {
			j.steps = append(j.steps, act("reject", "/recommendations/"+id+"/reject", gp, map[string]any{"prescriberId": gp, "reason": "Specialist review first"},
				medreviews.RecommendationRejected{}.EventType()))
		}
	}
	return j
}

// round: a home's weekly MDT round scheduled, two to five free residents
// nominated, the round held by the home's lead with a pharmacist, each
// resident reviewed (one in ten not: asleep), an action raised for the
// first reviewed one, and the round closed.
func (w *workload) round() *journey {
	r := w.rng
	h := r.IntN(len(homes))
	home := homes[h]
	var free []int
	for _, p := range w.resident[h] {
		if !w.busy[p] {
			free = append(free, p)
		}
	}
	if len(free) == 0 {
		return nil
	}
	r.Shuffle(len(free), func(a, b int) { free[a], free[b] = free[b], free[a] })
	residents := free[:min(len(free), 2+r.IntN(4))]
	pharm := pick(r, pharmacists)
	j := &journey{Kind: kindRound, Service: "carehomes", Patients: residents}
	roundCmd := func(name, sub, who string, p int, entries bool, body func(now time.Time) map[string]any, typ string) step {
		return func(j *journey, now time.Time) command {
			return command{Name: "carehomes." + name, Service: "carehomes", Method: http.MethodPost, Path: "/v1/rounds/" + j.Aggr + sub,
				Actor: who, Body: body(now), Patient: p, Types: []string{typ}, Entries: entries}
		}
	}
	fixed := func(m map[string]any) func(time.Time) map[string]any {
		return func(time.Time) map[string]any { return m }
	}
	j.steps = append(j.steps, func(j *journey, now time.Time) command {
		return command{Name: "carehomes.schedule", Service: "carehomes", Method: http.MethodPost, Path: "/v1/rounds", Actor: coordinator,
			Create: true, IDField: "id", Patient: residents[0], Entries: false, Types: []string{carehomes.RoundScheduled{}.EventType()},
			Body: map[string]any{"careHomeId": home.ID, "plannedStart": ts(now)}}
	})
	for _, p := range residents {
		by := pick(r, []string{"home", "mdt"}) // chosen now: steps run on the driver's goroutines, which never touch the rng
		j.steps = append(j.steps, roundCmd("nominate", "/nominations", coordinator, p, true, func(time.Time) map[string]any {
			return map[string]any{"patient": "", "nominatedBy": by, "reason": "Weekly review", "priority": "routine"}
		}, carehomes.ResidentNominated{}.EventType()))
	}
	j.steps = append(j.steps, roundCmd("hold", "/hold", home.Lead, residents[0], false, func(now time.Time) map[string]any {
		return map[string]any{"attendees": []map[string]any{{"clinicianId": home.Lead}, {"clinicianId": pharm}}, "startedAt": ts(now), "endedAt": ts(now.Add(time.Minute))}
	}, carehomes.RoundHeld{}.EventType()))
	actionFor := -1
	for _, p := range residents {
		if r.IntN(10) == 0 {
			j.steps = append(j.steps, roundCmd("not-reviewed", "/nominations/{patient}/not-reviewed", home.Lead, p, true, fixed(map[string]any{"reason": "asleep"}),
				carehomes.ResidentNotReviewed{}.EventType()))
			continue
		}
		if actionFor < 0 {
			actionFor = p
		}
		j.steps = append(j.steps, roundCmd("review", "/nominations/{patient}/review", home.Lead, p, true,
			fixed(map[string]any{"reviewedBy": home.Lead, "outcome": "Reviewed; plan unchanged"}), carehomes.ResidentReviewed{}.EventType()))
	}
	if actionFor >= 0 {
		p := actionFor
		j.steps = append(j.steps, roundCmd("action", "/actions", coordinator, p, true, func(now time.Time) map[string]any {
			return map[string]any{"patient": "", "description": "Recheck blood pressure", "ownerClinicianId": home.Lead,
				"dueOn": now.UTC().AddDate(0, 0, 7).Format(time.DateOnly)}
		}, carehomes.ActionRaised{}.EventType()))
	}
	j.steps = append(j.steps, roundCmd("close", "/close", coordinator, residents[0], false, fixed(map[string]any{}), carehomes.RoundClosed{}.EventType()))
	return j
}
