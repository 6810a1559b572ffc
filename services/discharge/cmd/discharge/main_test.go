package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/services/discharge"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/patients"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// harness is a running registry and discharge service.
type harness struct {
	t         *testing.T
	registry  *servicetest.Stack
	s         *servicetest.Stack
	now       time.Time
	tomorrow  string // a local date the plan may expect
	londonLoc *time.Location
}

func start(t *testing.T) *harness {
	t.Helper()
	reg := servicetest.Start(t, "patients", patients.Options(directory.Demo(), false))
	client, err := patientref.New(reg.URL, servicetest.ServiceClient(t))
	if err != nil {
		t.Fatal(err)
	}
	s := servicetest.Start(t, "discharge", discharge.Options(directory.Demo(), client, domain.DefaultRules()))
	london := domain.DefaultRules().Location
	now := time.Now().UTC()
	return &harness{t: t, registry: reg, s: s, now: now, tomorrow: now.Add(24 * time.Hour).In(london).Format(time.DateOnly), londonLoc: london}
}

// register registers a synthetic patient at practice and returns the
// reference.
func (h *harness) register(nhsNumber, practice string) string {
	h.t.Helper()
	if _, err := nhsno.Parse(nhsNumber); err != nil || !nhsno.IsSynthetic(nhsNumber) {
		h.t.Fatalf("test NHS number %s: %v", nhsNumber, err)
	}
	body := fmt.Sprintf(`{"nhsNumber":%q,"traceStatus":"01","givenName":"Test","familyName":"Patient","birthDate":"1940-05-06","practice":%q}`, nhsNumber, practice)
	// The registry registers a patient for a coordinator of the practice's PCN.
	pr, _ := directory.Demo().Practice(practice)
	got := h.registry.As(auth.Principal{Subject: "cc-of-" + pr.PCN, Role: "care-coordinator", Org: pr.PCN, PCN: pr.PCN}).Do("POST", "/v1/patients", body, map[string]string{"Idempotency-Key": "reg-" + nhsNumber})
	if got.Status != 201 {
		h.t.Fatalf("register %s = %d %s", nhsNumber, got.Status, got.Body)
	}
	var p struct{ Patient string }
	got.JSON(h.t, &p)
	return p.Patient
}

// at renders now+d as a request time.
func (h *harness) at(d time.Duration) string { return h.now.Add(d).Format(time.RFC3339) }

const day = 24 * time.Hour

// admit admits a patient (body fields after the patient) and returns the
// new stay.
func (h *harness) admit(patientJSON, method string, admittedAt time.Duration, headers map[string]string) stayJSON {
	h.t.Helper()
	body := fmt.Sprintf(`{%s,"hospitalSite":"RTE01","ward":"Ward 7 (Acute Medicine)","admittedAt":%q,"admissionMethod":%q}`, patientJSON, h.at(admittedAt), method)
	got := h.s.Do("POST", "/v1/stays", body, headers)
	if got.Status != 201 {
		h.t.Fatalf("admit = %d %s", got.Status, got.Body)
	}
	var st stayJSON
	got.JSON(h.t, &st)
	if got.Header.Get("Location") != "/v1/stays/"+st.ID || got.Header.Get("ETag") != `"1"` {
		h.t.Fatalf("admit headers %v", got.Header)
	}
	return st
}

// do sends a change with If-Match version and wants status; on success it
// returns the stay and checks the ETag is its version.
func (h *harness) do(method, path, body string, version int64, want int) (stayJSON, servicetest.Response) {
	h.t.Helper()
	got := h.s.Do(method, path, body, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)})
	if got.Status != want {
		h.t.Fatalf("%s %s %s = %d %s; want %d", method, path, body, got.Status, got.Body, want)
	}
	var st stayJSON
	if want == 200 {
		got.JSON(h.t, &st)
		if got.Header.Get("ETag") != fmt.Sprintf(`"%d"`, st.Version) {
			h.t.Fatalf("ETag %s for version %d", got.Header.Get("ETag"), st.Version)
		}
	}
	return st, got
}

func (h *harness) get(id string) stayJSON {
	h.t.Helper()
	got := h.s.Do("GET", "/v1/stays/"+id, nil, nil)
	if got.Status != 200 {
		h.t.Fatalf("GET = %d %s", got.Status, got.Body)
	}
	var st stayJSON
	got.JSON(h.t, &st)
	return st
}

// careEvents returns the service's own events JetStream holds once it
// holds at least n of them, leaving out the access records.
func (h *harness) careEvents(n int) []servicetest.Published {
	h.t.Helper()
	var got []servicetest.Published
	testkit.Eventually(h.t, 15*time.Second, func() bool {
		got = nil
		for _, e := range h.s.WaitEvents(0) {
			if !strings.HasPrefix(e.Subject, "care.access.") {
				got = append(got, e)
			}
		}
		return len(got) >= n
	}, "fewer than %d events published", n)
	return got
}

// Callers: the trust's discharge coordinator (the demo hospital's sites
// are RTE's), the care coordinator of Severn Vale (U84001), where most
// test patients are registered, the Severn Vale community team's nurse,
// and callers with no relationship: another trust's discharge
// coordinator, Forest Edge's coordinator and its community team's nurse.
var (
	hannah            = auth.Principal{Subject: "dc-hannah-lee", Role: "discharge-coordinator", Org: "RTE"}
	otherTrust        = auth.Principal{Subject: "dc-other-trust", Role: "discharge-coordinator", Org: "RJ1"}
	nia               = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"}
	kate              = auth.Principal{Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", Team: "team-severn-ict"}
	forestCoordinator = auth.Principal{Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"}
	forestNurse       = auth.Principal{Subject: "cn-forest-edge", Role: "community-nurse", Org: "team-forest-ict", Team: "team-forest-ict"}
)

// countEvents counts what the service stored (not the access records).
func (h *harness) countEvents() int {
	h.t.Helper()
	var n int
	if err := h.s.Pool.QueryRow(h.t.Context(), "SELECT count(*) FROM "+h.s.Schema+".events WHERE stream_id NOT LIKE 'access-%'").Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// problemOn wants a problem of status naming field (if any) in its errors
// and whose detail contains detail (if any).
func problemOn(t *testing.T, got servicetest.Response, status int, field, detail string) {
	t.Helper()
	p := got.Problem(t)
	if got.Status != status || (field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != field)) || !strings.Contains(p.Detail, detail) {
		t.Fatalf("= %d %s; want %d on %q with %q", got.Status, got.Body, status, field, detail)
	}
}

type stayJSON struct {
	ID, Status, Patient, Practice, Area, CurrentPathway string
	Version                                             int64
	AdmittedAt                                          time.Time
	Plan                                                *struct {
		Pathway, ExpectedDate string
		PathwayChanges        []struct{ From, To, Reason string }
	}
	Discharge           *dischargeJSON
	RetractedDischarges []dischargeJSON
	Local               struct{ Zone, AdmittedAt, DischargedAt, SummaryDueBy, FollowUpDueBy string }
}

type dischargeJSON struct {
	Pathway, Destination, CareHomeID string
	Needs                            []string
	DischargedAt, FollowUpDueBy      time.Time
	Summary                          *struct{ Late bool }
	Medicines                        *struct{ Pharmacy string }
	FollowUp                         *struct {
		Status, TeamID, ClinicianRole, MissedReason string
		Late                                        bool
		DueBy                                       time.Time
	}
	Readmission *struct {
		NewStayID          string
		DaysSinceDischarge int
	}
	Closure      *struct{ FollowUp string }
	Cancellation *struct{ Reason string }
}

func TestStayLifecycleThroughHTTP(t *testing.T) {
	h := start(t)
	const nhs = "9990000018"
	ref := h.register(nhs, "L84001")

	// Admission names the patient by NHS number; the registry gives the
	// reference and the practice, whose PCN is the routing area.
	admitHeaders := map[string]string{"Idempotency-Key": "adm-alice", "X-Correlation-Id": "corr-alice"}
	st := h.admit(`"nhsNumber":"999 000 0018"`, "emergency", -10*day, admitHeaders)
	if st.Status != "admitted" || st.Patient != ref || st.Practice != "L84001" || st.Area != "U84001" || st.Version != 1 {
		t.Fatalf("admitted %+v", st)
	}
	path := "/v1/stays/" + st.ID

	// A retry with the same key answers the same and records nothing new;
	// the key reused for another request is refused.
	first := h.get(st.ID)
	again := h.s.Do("POST", "/v1/stays", fmt.Sprintf(`{"nhsNumber":"999 000 0018","hospitalSite":"RTE01","ward":"Ward 7 (Acute Medicine)","admittedAt":%q,"admissionMethod":"emergency"}`, h.at(-10*day)), admitHeaders)
	var replayed stayJSON
	again.JSON(t, &replayed)
	if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || replayed.ID != st.ID || h.countEvents() != 1 {
		t.Fatalf("retry = %d %s (%d events)", again.Status, again.Body, h.countEvents())
	}
	other := h.s.Do("POST", "/v1/stays", fmt.Sprintf(`{"patient":%q,"hospitalSite":"RTE01","ward":"Ward 8","admittedAt":%q,"admissionMethod":"elective"}`, ref, h.at(-day)), admitHeaders)
	problemOn(t, other, 422, "Idempotency-Key", "")
	if h.countEvents() != 1 {
		t.Fatalf("a refused retry stored events")
	}

	// GET shows times in UTC and, for staff, in Europe/London.
	if first.Local.Zone != "Europe/London" || !first.AdmittedAt.Equal(h.now.Add(-10*day).Truncate(time.Second)) {
		t.Fatalf("GET %+v", first)
	}
	if local, err := time.Parse(time.RFC3339, first.Local.AdmittedAt); err != nil || !local.Equal(first.AdmittedAt) ||
		local.Format("-07:00") != first.AdmittedAt.In(h.londonLoc).Format("-07:00") {
		t.Fatalf("local admittedAt %q for %v (%v)", first.Local.AdmittedAt, first.AdmittedAt, err)
	}

	st, _ = h.do("PUT", path+"/plan", fmt.Sprintf(`{"pathway":"P1","expectedDate":%q}`, h.tomorrow), 1, 200)
	if st.Status != "discharge-planned" || st.Plan.ExpectedDate != h.tomorrow || st.Version != 2 {
		t.Fatalf("planned %+v", st)
	}

	// A stale If-Match changes nothing.
	_, stale := h.do("POST", path+"/pathway-change", `{"pathway":"P3","reason":"needs-increased"}`, 1, 412)
	problemOn(t, stale, 412, "", "changed")
	if n := h.countEvents(); n != 2 {
		t.Fatalf("a stale change stored events: %d", n)
	}
	if noMatch := h.s.Do("POST", path+"/pathway-change", `{"pathway":"P3","reason":"needs-increased"}`, nil); noMatch.Status != 428 {
		t.Fatalf("no If-Match = %d", noMatch.Status)
	}
	st, _ = h.do("POST", path+"/pathway-change", `{"pathway":"P3","reason":"needs-increased"}`, 2, 200)
	if st.CurrentPathway != "P3" || len(st.Plan.PathwayChanges) != 1 || st.Plan.PathwayChanges[0].From != "P1" {
		t.Fatalf("pathway changed %+v", st)
	}

	st, _ = h.do("POST", path+"/discharge", fmt.Sprintf(`{"dischargedAt":%q,"method":"ambulance","destination":"care-home","careHomeId":"home-willow-court","pathway":"P3","needs":["equipment","reablement","equipment"]}`, h.at(-9*day)), 3, 200)
	d := st.Discharge
	if st.Status != "discharged" || d == nil || !slices.Equal(d.Needs, []string{"reablement", "equipment"}) ||
		!d.FollowUpDueBy.Equal(d.DischargedAt.Add(72*time.Hour)) || st.Local.DischargedAt == "" || st.Local.SummaryDueBy == "" {
		t.Fatalf("discharged %+v", st)
	}

	// A transition the state does not allow is a 409 naming the state.
	_, refused := h.do("PUT", path+"/plan", fmt.Sprintf(`{"pathway":"P3","expectedDate":%q}`, h.tomorrow), 4, 409)
	problemOn(t, refused, 409, "", "the stay is discharged")

	st, _ = h.do("POST", path+"/summary", fmt.Sprintf(`{"receivedAt":%q}`, h.at(-7*day)), 4, 200)
	if !st.Discharge.Summary.Late || st.Status != "discharged" {
		t.Fatalf("summary %+v", st.Discharge)
	}
	st, _ = h.do("POST", path+"/medicines-referral", fmt.Sprintf(`{"pharmacy":"FQA12","referredAt":%q}`, h.at(-9*day)), 5, 200)
	if st.Discharge.Medicines == nil || st.Discharge.Medicines.Pharmacy != "FQA12" {
		t.Fatalf("medicines %+v", st.Discharge)
	}

	// The team must be in the directory and cover the stay's area.
	_, far := h.do("PUT", path+"/follow-up", `{"teamId":"team-forest-ict"}`, 6, 400)
	problemOn(t, far, 400, "teamId", "")
	_, unknown := h.do("PUT", path+"/follow-up", `{"teamId":"team-nowhere"}`, 6, 400)
	problemOn(t, unknown, 400, "teamId", "")
	st, _ = h.do("PUT", path+"/follow-up", `{"teamId":"team-severn-ict"}`, 6, 200)
	if f := st.Discharge.FollowUp; f == nil || f.Status != "assigned" || !f.DueBy.Equal(st.Discharge.FollowUpDueBy) {
		t.Fatalf("assigned %+v", st.Discharge)
	}

	// Only a member of the assigned team completes it; with the summary in,
	// the stay closes.
	_, outsider := h.do("POST", path+"/follow-up/completion", fmt.Sprintf(`{"clinicianId":"sw-david-ross","outcome":"needs-met","completedAt":%q}`, h.at(-time.Hour)), 7, 400)
	problemOn(t, outsider, 400, "clinicianId", "")
	st, _ = h.do("POST", path+"/follow-up/completion", fmt.Sprintf(`{"clinicianId":"dn-maria-silva","outcome":"needs-met","completedAt":%q}`, h.at(-time.Hour)), 7, 200)
	if f := st.Discharge.FollowUp; st.Status != "closed" || st.Version != 9 || f.Status != "completed" || !f.Late || f.ClinicianRole != "district-nurse" ||
		st.Discharge.Closure == nil || st.Discharge.Closure.FollowUp != "completed" {
		t.Fatalf("completed %+v %+v", st, st.Discharge)
	}

	// The discharge is cancelled (A13): GET shows it retracted, with what
	// hung on it, and the stay back at its plan.
	h.do("POST", path+"/discharge-cancellation", `{"reason":"entered-in-error"}`, 9, 200)
	st = h.get(st.ID)
	if st.Status != "discharge-planned" || st.Discharge != nil || st.Version != 10 || st.CurrentPathway != "P3" || len(st.RetractedDischarges) != 1 {
		t.Fatalf("after cancellation %+v", st)
	}
	r := st.RetractedDischarges[0]
	if r.Cancellation == nil || r.Cancellation.Reason != "entered-in-error" || r.Summary == nil || r.FollowUp == nil || r.FollowUp.Status != "completed" ||
		r.Closure == nil || r.Medicines == nil || r.CareHomeID != "home-willow-court" {
		t.Fatalf("retracted discharge %+v", r)
	}
	// The feed repeating its A13 records nothing.
	if st, _ = h.do("POST", path+"/discharge-cancellation", `{"reason":"entered-in-error"}`, 10, 200); st.Version != 10 {
		t.Fatalf("repeated cancellation moved the stay to version %d", st.Version)
	}
	var status string
	if err := h.s.Pool.QueryRow(t.Context(), "SELECT status FROM "+h.s.Schema+".stays_by_patient WHERE stay_id = $1 AND patient = $2", st.ID, ref).Scan(&status); err != nil || status != "discharge-planned" {
		t.Fatalf("stays_by_patient status %q (%v)", status, err)
	}

	// Every event reaches JetStream with its actor and correlation id,
	// routed to the PCN, about the reference, with nothing of the patient
	// in the subject.
	want := []string{"patient_admitted", "discharge_planned", "pathway_changed", "patient_discharged", "discharge_summary_received",
		"medicines_service_referred", "follow_up_assigned", "follow_up_completed", "stay_closed", "discharge_cancelled"}
	got := h.careEvents(len(want))
	if len(got) != len(want) {
		t.Fatalf("%d events published, want %d", len(got), len(want))
	}
	for i, e := range got {
		if e.Envelope.Type != "careweave.discharge."+want[i]+".v1" || !strings.HasPrefix(e.Subject, "care.discharge.U84001.p") ||
			!strings.HasSuffix(e.Subject, "."+want[i]+".v1") {
			t.Fatalf("event %d: %s on %s, want %s", i, e.Envelope.Type, e.Subject, want[i])
		}
		if strings.Contains(e.Subject, ref) || strings.Contains(e.Subject, nhs) || e.Envelope.Subject != ref {
			t.Fatalf("event %d subject %s / %s", i, e.Subject, e.Envelope.Subject)
		}
		if raw, _ := json.Marshal(e.Envelope); strings.Contains(string(raw), nhs) {
			t.Fatalf("the NHS number left the registry in %s", e.Envelope.Type)
		}
		if e.Envelope.ActorID != "tester" || e.Envelope.ActorRole != "care-coordinator" || e.Envelope.ActorOrg != "U84001" ||
			e.Envelope.CorrelationID == "" || e.Envelope.CausationID == "" {
			t.Fatalf("event %d lacks actor or correlation: %+v", i, e.Envelope)
		}
	}
	if got[0].Envelope.CorrelationID != "corr-alice" {
		t.Fatalf("admission correlation %q", got[0].Envelope.CorrelationID)
	}
}

func TestReadmissionDetectedAtAdmission(t *testing.T) {
	h := start(t)
	ref := h.register("9990000026", "L84002")
	patient := fmt.Sprintf(`"patient":%q`, ref)

	a := h.admit(`"nhsNumber":"9990000026"`, "emergency", -20*day, map[string]string{"Idempotency-Key": "a"})
	pathA := "/v1/stays/" + a.ID
	st, _ := h.do("POST", pathA+"/discharge", fmt.Sprintf(`{"dischargedAt":%q,"method":"own-transport","destination":"usual-residence","pathway":"P0"}`, h.at(-15*day)), 1, 200)
	if !st.Discharge.FollowUpDueBy.IsZero() || st.Local.FollowUpDueBy != "" {
		t.Fatalf("P0 without needs owes no follow-up: %+v", st.Discharge)
	}
	// A team assigned anyway owes one, due 72h after discharge; overdue,
	// it is recorded missed, and cannot then be completed.
	st, _ = h.do("PUT", pathA+"/follow-up", `{"teamId":"team-severn-social"}`, 2, 200)
	if !st.Discharge.FollowUp.DueBy.Equal(st.Discharge.DischargedAt.Add(72 * time.Hour)) {
		t.Fatalf("follow-up %+v", st.Discharge.FollowUp)
	}
	st, _ = h.do("POST", pathA+"/follow-up/missed", `{"reason":"no-access"}`, 3, 200)
	if st.Discharge.FollowUp.Status != "missed" || st.Discharge.FollowUp.MissedReason != "no-access" || st.Status != "discharged" {
		t.Fatalf("missed %+v", st)
	}
	_, refused := h.do("POST", pathA+"/follow-up/completion", fmt.Sprintf(`{"clinicianId":"sw-david-ross","outcome":"needs-met","completedAt":%q}`, h.at(-time.Hour)), 4, 409)
	problemOn(t, refused, 409, "", "the stay is discharged")

	// An elective admission 15 days later is no readmission.
	b := h.admit(patient, "elective", -5*day, map[string]string{"Idempotency-Key": "b"})
	if got := h.get(a.ID); got.Version != 4 || got.Discharge.Readmission != nil {
		t.Fatalf("an elective admission touched the previous stay: %+v", got)
	}
	h.do("POST", "/v1/stays/"+b.ID+"/discharge", fmt.Sprintf(`{"dischargedAt":%q,"method":"hospital-transport","destination":"usual-residence","pathway":"P1","needs":["reablement"]}`, h.at(-4*day)), 1, 200)

	// An emergency admission 2 days after B's discharge is a readmission,
	// recorded on B in the admission's transaction.
	c := h.admit(patient, "emergency", -2*day, map[string]string{"Idempotency-Key": "c", "X-Correlation-Id": "corr-c"})
	prev := h.get(b.ID)
	if r := prev.Discharge.Readmission; prev.Version != 3 || r == nil || r.NewStayID != c.ID || r.DaysSinceDischarge != h.calendarDays(-4*day, -2*day) {
		t.Fatalf("previous stay after readmission %+v %+v", prev, prev.Discharge)
	}
	if got := h.get(a.ID); got.Version != 4 {
		t.Fatalf("the older stay changed: %+v", got)
	}
	var n int
	if err := h.s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+h.s.Schema+".stays_by_patient WHERE patient = $1", ref).Scan(&n); err != nil || n != 3 {
		t.Fatalf("stays_by_patient holds %d stays (%v)", n, err)
	}

	// Cancelling B's discharge withdraws the readmission signal with it.
	h.do("POST", "/v1/stays/"+b.ID+"/discharge-cancellation", `{"reason":"clinically-unfit"}`, 3, 200)
	prev = h.get(b.ID)
	if prev.Discharge != nil || len(prev.RetractedDischarges) != 1 || prev.RetractedDischarges[0].Readmission == nil || prev.Status != "admitted" {
		t.Fatalf("after cancellation %+v", prev)
	}

	// A: admitted, discharged, assigned, missed; B: admitted, discharged,
	// readmission detected, cancelled; C: admitted.
	events := h.careEvents(9)
	if len(events) != 9 {
		t.Fatalf("%d events published, want 9", len(events))
	}
	var found bool
	for _, e := range events {
		if e.Envelope.Type == "careweave.discharge.readmission_detected.v1" {
			found = true
			if e.Envelope.StreamID != "stay-"+b.ID || e.Envelope.CorrelationID != "corr-c" || e.Envelope.Subject != ref ||
				!strings.HasPrefix(e.Subject, "care.discharge.U84001.") {
				t.Fatalf("readmission event %+v on %s", e.Envelope, e.Subject)
			}
		}
	}
	if !found {
		t.Fatal("no readmission event published")
	}
}

// calendarDays counts London calendar days between now+from and now+to.
func (h *harness) calendarDays(from, to time.Duration) int {
	r := domain.DefaultRules()
	return r.CalendarDays(h.now.Add(from), h.now.Add(to))
}

func TestBadInputGetsAProblemAndChangesNothing(t *testing.T) {
	h := start(t)
	// A Forest Edge patient: its PCN's coordinator.
	h.s = h.s.As(forestCoordinator)
	ref := h.register("9990000034", "L84011")
	valid := fmt.Sprintf(`{"nhsNumber":"9990000034","hospitalSite":"RTE01","ward":"Ward 2","admittedAt":%q,"admissionMethod":"emergency"}`, h.at(-3*day))
	key := map[string]string{"Idempotency-Key": "k"}
	cases := []struct {
		name, body string
		headers    map[string]string
		status     int
		field      string
	}{
		{"malformed", `{"nhsNumber":`, key, 400, "body"},
		{"unknown field", strings.Replace(valid, `"ward"`, `"bed":"3","ward"`, 1), key, 400, "bed"},
		{"unknown enum", strings.Replace(valid, `"emergency"`, `"walk-in"`, 1), key, 400, "admissionMethod"},
		{"bad check digit", strings.Replace(valid, "9990000034", "9990000035", 1), key, 400, "nhsNumber"},
		{"unregistered number", strings.Replace(valid, "9990000034", "9990000042", 1), key, 400, "nhsNumber"},
		{"unknown reference", strings.Replace(valid, `"nhsNumber":"9990000034"`, `"patient":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10"`, 1), key, 400, "patient"},
		{"both patient and number", strings.Replace(valid, `"nhsNumber"`, `"patient":"`+ref+`","nhsNumber"`, 1), key, 400, "patient"},
		{"no patient", strings.Replace(valid, `"nhsNumber":"9990000034",`, ``, 1), key, 400, "patient"},
		{"not a time", strings.Replace(valid, h.at(-3*day), "yesterday", 1), key, 400, "admittedAt"},
		{"future admission", strings.Replace(valid, h.at(-3*day), h.at(day), 1), key, 400, "admittedAt"},
		{"bad site", strings.Replace(valid, "RTE01", "rte", 1), key, 400, "hospitalSite"},
		{"wrong type", strings.Replace(valid, `"Ward 2"`, `7`, 1), key, 400, "ward"},
		{"oversized", `{"ward":"` + strings.Repeat("x", 70000) + `"}`, key, 413, ""},
		{"no key", valid, nil, 400, "Idempotency-Key"},
		{"no actor", valid, map[string]string{"Idempotency-Key": "k", "Authorization": ""}, 401, "Authorization"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			problemOn(t, h.s.Do("POST", "/v1/stays", c.body, c.headers), c.status, c.field, "")
		})
	}
	if n := h.countEvents(); n != 0 {
		t.Fatalf("refused admissions stored %d events", n)
	}

	st := h.admit(fmt.Sprintf(`"patient":%q`, ref), "emergency", -3*day, key)
	path := "/v1/stays/" + st.ID
	if st.Area != "U84002" {
		t.Fatalf("area %s", st.Area)
	}
	discharge := func(dischargedAt, rest string) string {
		return fmt.Sprintf(`{"dischargedAt":%q,"method":"own-transport",%s}`, dischargedAt, rest)
	}
	changes := []struct {
		name, method, path, body string
		status                   int
		field, detail            string
	}{
		{"dates in the wrong order", "POST", "/discharge", discharge(h.at(-4*day), `"destination":"usual-residence","pathway":"P0"`), 400, "dischargedAt", ""},
		{"unknown care home", "POST", "/discharge", discharge(h.at(-time.Hour), `"destination":"care-home","careHomeId":"home-nowhere","pathway":"P3"`), 400, "careHomeId", ""},
		{"care home missing", "POST", "/discharge", discharge(h.at(-time.Hour), `"destination":"care-home","pathway":"P3"`), 400, "careHomeId", ""},
		{"unknown pathway", "POST", "/discharge", discharge(h.at(-time.Hour), `"destination":"usual-residence","pathway":"P9"`), 400, "pathway", ""},
		{"unknown need", "POST", "/discharge", discharge(h.at(-time.Hour), `"destination":"usual-residence","pathway":"P0","needs":["hugs"]`), 400, "needs", ""},
		{"bed-based home", "POST", "/discharge", discharge(h.at(-time.Hour), `"destination":"usual-residence","pathway":"P2"`), 400, "destination", ""},
		{"plan date not a date", "PUT", "/plan", `{"pathway":"P1","expectedDate":"2026-02-30"}`, 400, "expectedDate", ""},
		{"plan in the past", "PUT", "/plan", `{"pathway":"P1","expectedDate":"2020-01-01"}`, 400, "expectedDate", ""},
		{"unknown cancel reason", "POST", "/discharge-cancellation", `{"reason":"oops"}`, 400, "reason", ""},
		{"unknown clinician", "POST", "/follow-up/completion", fmt.Sprintf(`{"clinicianId":"nobody","outcome":"needs-met","completedAt":%q}`, h.at(-time.Hour)), 400, "clinicianId", ""},
		{"unknown team", "PUT", "/follow-up", `{"teamId":"team-nowhere"}`, 400, "teamId", ""},
		{"bad pharmacy", "POST", "/medicines-referral", fmt.Sprintf(`{"pharmacy":"x","referredAt":%q}`, h.at(-time.Hour)), 400, "pharmacy", ""},
		{"unknown missed reason", "POST", "/follow-up/missed", `{"reason":"forgot"}`, 400, "reason", ""},
		{"summary before discharge", "POST", "/summary", fmt.Sprintf(`{"receivedAt":%q}`, h.at(-time.Hour)), 409, "", "the stay is admitted"},
		{"cancel before discharge", "POST", "/discharge-cancellation", `{"reason":"other"}`, 409, "", "the stay is admitted"},
		{"pathway change before a plan", "POST", "/pathway-change", `{"pathway":"P2","reason":"capacity"}`, 409, "", "the stay is admitted"},
		{"follow-up before discharge", "PUT", "/follow-up", `{"teamId":"team-forest-ict"}`, 409, "", "the stay is admitted"},
		{"missed before discharge", "POST", "/follow-up/missed", `{"reason":"no-access"}`, 409, "", "the stay is admitted"},
		{"medicines before discharge", "POST", "/medicines-referral", fmt.Sprintf(`{"pharmacy":"FQA12","referredAt":%q}`, h.at(-time.Hour)), 409, "", "the stay is admitted"},
		{"unknown field", "POST", "/summary", `{"receivedAt":"x","by":"me"}`, 400, "by", ""},
		{"malformed", "POST", "/summary", `{"receivedAt"`, 400, "body", ""},
		{"oversized", "POST", "/summary", `{"receivedAt":"` + strings.Repeat("x", 70000) + `"}`, 413, "", ""},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			_, got := h.do(c.method, path+c.path, c.body, 1, c.status)
			problemOn(t, got, c.status, c.field, c.detail)
		})
	}
	if got := h.s.Do("GET", "/v1/stays/0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", nil, nil); got.Status != 404 {
		t.Fatalf("GET unknown = %d", got.Status)
	}
	if got := h.s.Do("GET", "/v1/stays/not-an-id", nil, nil); got.Status != 404 {
		t.Fatalf("GET malformed id = %d", got.Status)
	}
	_, missing := h.do("POST", "/v1/stays/0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10/summary", fmt.Sprintf(`{"receivedAt":%q}`, h.at(-time.Hour)), 1, 404)
	problemOn(t, missing, 404, "", "")
	if n := h.countEvents(); n != 1 {
		t.Fatalf("refused changes stored events: %d, want only the admission", n)
	}
}

func TestRulesFile(t *testing.T) {
	def := domain.DefaultRules()
	r, err := parseRules([]byte(`{"followUpWithin":{"P1":"36h"},"readmissionWindowDays":27,"timeZone":"Europe/London"}`), def)
	if err != nil || r.FollowUpWithin["P1"] != 36*time.Hour || r.FollowUpWithin["P3"] != 72*time.Hour || r.ReadmissionWindowDays != 27 || r.Validate() != nil {
		t.Fatalf("rules %+v, %v", r, err)
	}
	if def.FollowUpWithin["P1"] != 24*time.Hour {
		t.Fatal("parseRules changed the defaults' map")
	}
	for _, bad := range []string{`{"followUpWithin":{"P7":"1h"}}`, `{"summaryDueWithin":"soon"}`, `{"colour":"red"}`, `{"timeZone":"Mars/Olympus"}`} {
		if _, err := parseRules([]byte(bad), domain.DefaultRules()); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	r, _ = parseRules([]byte(`{"followUpWithin":{"P1":"-1h"}}`), domain.DefaultRules())
	if r.Validate() == nil {
		t.Error("negative deadline validated")
	}
	if err := run(t.Context(), []string{"-database-url", "postgres://x", "-nats-url", "nats://x"}, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "PATIENTS_URL") {
		t.Fatalf("run without PATIENTS_URL: %v", err)
	}
}
