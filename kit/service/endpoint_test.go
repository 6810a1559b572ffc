package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/kit/testkit"
)

// A tiny aggregate for the audit path: a case about one patient, opened
// and then noted on.
type (
	caseOpened struct {
		Patient string `json:"patient"`
	}
	caseNoted struct {
		Text string `json:"text"`
	}
	caseState struct {
		Patient string
		Notes   []string
	}
)

func (caseOpened) EventType() string { return "careweave.test.case_opened.v1" }
func (caseNoted) EventType() string  { return "careweave.test.case_noted.v1" }

func caseType() aggregate.Type[caseState] {
	reg := events.NewRegistry()
	reg.Register(caseOpened{}, caseNoted{})
	return aggregate.Type[caseState]{Name: "case", Registry: reg,
		Evolve: func(s caseState, e events.Data) caseState {
			switch e := e.(type) {
			case caseOpened:
				s.Patient = e.Patient
			case caseNoted:
				s.Notes = append(s.Notes, e.Text)
			}
			return s
		},
		Route: func(s caseState) (string, string) { return s.Patient, "U12345" }}
}

// caseRequest is a change: open the case (Patient) and add Notes; Basis is
// what the test's policy says, Forbid makes it refuse.
type caseRequest struct {
	Patient string       `json:"patient,omitempty"`
	Notes   []string     `json:"notes,omitempty"`
	Basis   access.Basis `json:"basis,omitempty"`
	Forbid  bool         `json:"forbid,omitempty"`
}

// unviewable is a note after which the case cannot be rendered: the change
// fails after its records were appended in its transaction.
const unviewable = "unviewable"

type auditRig struct {
	t      *testing.T
	url    string
	store  *eventstore.Store
	grants *fakeGrants
}

// fakeGrants holds break-glass grants by patient, as the query API would
// answer them, or fails every question.
type fakeGrants struct {
	mu     sync.Mutex
	reason map[string]string
	down   bool
}

func (f *fakeGrants) Active(r *http.Request, patient string) (breakglass.Grant, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return breakglass.Grant{}, false, breakglass.ErrUnchecked
	}
	reason, ok := f.reason[patient]
	return breakglass.Grant{Patient: patient, Reason: reason, Until: time.Now().Add(time.Minute)}, ok, nil
}

func (f *fakeGrants) set(patient, reason string, down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if reason != "" {
		f.reason[patient] = reason
	}
	f.down = down
}

const testBasis = access.Basis("relationship:test-case")

var caller = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001", TokenID: "jti-1"}

func newAuditRig(t *testing.T) *auditRig {
	t.Helper()
	pool, schema := testkit.Postgres(t)
	store, err := eventstore.New(pool, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := pgkit.Migrate(t.Context(), pool, schema, eventstore.Migrations(), idempotency.Migrations()); err != nil {
		t.Fatal(err)
	}
	idem, err := idempotency.New(pool, schema)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := audit.New(store, "testsvc", nil)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	grants := &fakeGrants{reason: map[string]string{}}
	cmds := &service.Commands[caseState]{
		Repo: aggregate.NewRepository(caseType(), store), Idem: idem, Logger: logger, Now: time.Now,
		View: func(l aggregate.Loaded[caseState]) any {
			for _, n := range l.State.Notes {
				if n == unviewable {
					return math.Inf(1) // json cannot encode it
				}
			}
			return l.State
		},
		Path:       func(id string) string { return "/v1/cases/" + id },
		Audit:      rec,
		Patients:   func(s caseState) []string { return []string{s.Patient} },
		BreakGlass: grants,
	}
	command := func(body *caseRequest, creating bool) service.Command[caseState] {
		return service.Command[caseState]{
			Body: body,
			Decide: func(context.Context, aggregate.Meta) (aggregate.Decide[caseState], error) {
				if body.Forbid {
					return nil, httpkit.Errorf(httpkit.KindForbidden, "not yours")
				}
				return func(s caseState, version int64) ([]events.Data, error) {
					var out []events.Data
					if creating {
						out = append(out, caseOpened{Patient: body.Patient})
					}
					for _, n := range body.Notes {
						out = append(out, caseNoted{Text: n})
					}
					return out, nil
				}, nil
			},
			Basis: func() access.Basis { return body.Basis },
		}
	}
	r := httpkit.NewRouter()
	r.HandleFunc("POST /v1/cases/{id}", func(w http.ResponseWriter, r *http.Request) {
		var body caseRequest
		cmds.Create(w, r, r.PathValue("id"), command(&body, true))
	})
	r.HandleFunc("POST /v1/cases/{id}/notes", func(w http.ResponseWriter, r *http.Request) {
		var body caseRequest
		cmds.Change(w, r, r.PathValue("id"), command(&body, false))
	})
	r.HandleFunc("GET /v1/cases/{id}", func(w http.ResponseWriter, r *http.Request) {
		cmds.Read(w, r, r.PathValue("id"), func(aggregate.Loaded[caseState]) (access.Basis, error) {
			if r.Header.Get("X-Test-Refuse") != "" {
				return "", httpkit.Errorf(httpkit.KindForbidden, "not yours")
			}
			return testBasis, nil
		})
	})
	authenticated := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := caller
		if req.Header.Get("X-Test-System") != "" {
			p.Role = auth.SystemRole
		}
		r.ServeHTTP(w, req.WithContext(auth.With(req.Context(), p)))
	})
	srv := httptest.NewServer(httpkit.Middleware(logger, time.Now)(authenticated))
	t.Cleanup(srv.Close)
	return &auditRig{t: t, url: srv.URL, store: store, grants: grants}
}

func (g *auditRig) do(method, path string, body any, headers map[string]string) int {
	g.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			g.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(g.t.Context(), method, g.url+path, rd)
	if err != nil {
		g.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// records returns the patient's audit records.
func (g *auditRig) records(patient string) []access.AccessRecorded {
	g.t.Helper()
	envs, err := g.store.Load(g.t.Context(), access.Stream(patient), 0)
	if err != nil {
		g.t.Fatal(err)
	}
	reg := access.Registry()
	var out []access.AccessRecorded
	for _, en := range envs {
		d, err := reg.Decode(en)
		if err != nil {
			g.t.Fatal(err)
		}
		rec, ok := d.(access.AccessRecorded)
		if !ok {
			g.t.Fatalf("%T on the audit stream", d)
		}
		if en.Area != "testsvc" || en.Subject != patient {
			g.t.Errorf("record filed as area %q subject %q", en.Area, en.Subject)
		}
		out = append(out, rec)
	}
	return out
}

func (g *auditRig) version(id string) int64 {
	g.t.Helper()
	envs, err := g.store.Load(g.t.Context(), "case-"+id, 0)
	if err != nil {
		g.t.Fatal(err)
	}
	return int64(len(envs))
}

// want checks recs against (action, basis, outcome, status) in order.
func wantRecords(t *testing.T, recs []access.AccessRecorded, want ...access.AccessRecorded) {
	t.Helper()
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(recs), len(want), recs)
	}
	for i, w := range want {
		r := recs[i]
		if r.Action != w.Action || r.Basis != w.Basis || r.Outcome != w.Outcome || r.Status != w.Status || r.Resource != w.Resource {
			t.Errorf("record %d = %s %s %s %d %s, want %s %s %s %d %s", i, r.Action, r.Basis, r.Outcome, r.Status, r.Resource,
				w.Action, w.Basis, w.Outcome, w.Status, w.Resource)
		}
		if r.Reason != w.Reason {
			t.Errorf("record %d has reason %q, want %q", i, r.Reason, w.Reason)
		}
		role := caller.Role
		if w.Role != "" {
			role = w.Role
		}
		if r.ActorID != caller.Subject || r.Role != role || r.Org != caller.Org || r.PCN != caller.PCN || r.TokenID != caller.TokenID || r.RequestID == "" {
			t.Errorf("record %d names the caller as %+v", i, r)
		}
	}
}

func TestCommandsAuditEveryChangeAndReadOfAPatient(t *testing.T) {
	g := newAuditRig(t)
	const patient = "pt-audit-1"
	id := events.NewID(time.Now()).String()
	path := "/v1/cases/" + id
	rec := func(action access.Action, basis access.Basis, outcome access.Outcome, status int, resource string) access.AccessRecorded {
		return access.AccessRecorded{Action: action, Basis: basis, Outcome: outcome, Status: status, Resource: resource}
	}
	opened := access.Change("careweave.test.case_opened.v1")
	noted := access.Change("careweave.test.case_noted.v1")

	// A change without a basis is refused, and records nothing at all.
	if st := g.do("POST", path, caseRequest{Patient: patient, Notes: []string{"a"}}, map[string]string{"Idempotency-Key": "k0"}); st != http.StatusInternalServerError {
		t.Fatalf("a change without a basis = %d, want 500", st)
	}
	if g.version(id) != 0 || len(g.records(patient)) != 0 {
		t.Fatalf("a refused change left %d events and %d records", g.version(id), len(g.records(patient)))
	}

	// A change with a basis: one record per event, with its basis.
	if st := g.do("POST", path, caseRequest{Patient: patient, Notes: []string{"a"}, Basis: testBasis}, map[string]string{"Idempotency-Key": "k1"}); st != http.StatusCreated {
		t.Fatalf("create = %d", st)
	}
	wantRecords(t, g.records(patient),
		rec(opened, testBasis, access.Allowed, 201, path), rec(noted, testBasis, access.Allowed, 201, path))
	// Its retry is the first answer, not a second change: nothing more.
	if st := g.do("POST", path, caseRequest{Patient: patient, Notes: []string{"a"}, Basis: testBasis}, map[string]string{"Idempotency-Key": "k1"}); st != http.StatusCreated {
		t.Fatalf("replayed create = %d", st)
	}
	if n := len(g.records(patient)); n != 2 {
		t.Fatalf("a replay left %d records, want 2", n)
	}

	// A change that fails after its records were appended leaves neither
	// its events nor its records: they are one transaction.
	notes := path + "/notes"
	if st := g.do("POST", notes, caseRequest{Notes: []string{unviewable}, Basis: testBasis}, map[string]string{"If-Match": `"2"`}); st != http.StatusInternalServerError {
		t.Fatalf("failing change = %d, want 500", st)
	}
	if v, n := g.version(id), len(g.records(patient)); v != 2 || n != 2 {
		t.Fatalf("a failed change left the case at version %d with %d records, want 2 and 2", v, n)
	}

	// A change with no basis on an existing case: refused, nothing recorded.
	if st := g.do("POST", notes, caseRequest{Notes: []string{"b"}}, map[string]string{"If-Match": `"2"`}); st != http.StatusInternalServerError {
		t.Fatalf("change without a basis = %d, want 500", st)
	}
	if v, n := g.version(id), len(g.records(patient)); v != 2 || n != 2 {
		t.Fatalf("a change without a basis left version %d, %d records", v, n)
	}

	// A change the policy refuses: one denied record, nothing changed.
	if st := g.do("POST", notes, caseRequest{Notes: []string{"b"}, Forbid: true}, map[string]string{"If-Match": `"2"`}); st != http.StatusForbidden {
		t.Fatalf("forbidden change = %d", st)
	}
	// Then one allowed change of two events.
	if st := g.do("POST", notes, caseRequest{Notes: []string{"b", "c"}, Basis: access.Relationship("other-kind")}, map[string]string{"If-Match": `"2"`}); st != http.StatusOK {
		t.Fatalf("change = %d", st)
	}

	// Reads: one allowed record each, and a refusal one denied record.
	if st := g.do("GET", path, nil, nil); st != http.StatusOK {
		t.Fatalf("read = %d", st)
	}
	if st := g.do("GET", path, nil, map[string]string{"X-Test-Refuse": "yes"}); st != http.StatusForbidden {
		t.Fatalf("refused read = %d", st)
	}
	// A case that does not exist is about no patient: 404, no record.
	if st := g.do("GET", "/v1/cases/"+events.NewID(time.Now()).String(), nil, nil); st != http.StatusNotFound {
		t.Fatalf("missing case = %d", st)
	}

	other := access.Relationship("other-kind")
	wantRecords(t, g.records(patient),
		rec(opened, testBasis, access.Allowed, 201, path),
		rec(noted, testBasis, access.Allowed, 201, path),
		rec("change", access.NoBasis, access.Denied, 403, notes),
		rec(noted, other, access.Allowed, 200, notes),
		rec(noted, other, access.Allowed, 200, notes),
		rec(access.ReadRecord, testBasis, access.Allowed, 200, path),
		rec(access.ReadRecord, access.NoBasis, access.Denied, 403, path),
	)
}

func TestABreakGlassGrantOpensReadsButNotChanges(t *testing.T) {
	g := newAuditRig(t)
	const patient = "pt-glass-1"
	id := events.NewID(time.Now()).String()
	path := "/v1/cases/" + id
	if st := g.do("POST", path, caseRequest{Patient: patient, Basis: testBasis}, map[string]string{"Idempotency-Key": "k1"}); st != http.StatusCreated {
		t.Fatalf("create = %d", st)
	}
	refuse := map[string]string{"X-Test-Refuse": "yes"}
	rec := func(action access.Action, basis access.Basis, reason string, outcome access.Outcome, status int, resource string) access.AccessRecorded {
		return access.AccessRecorded{Action: action, Basis: basis, Reason: reason, Outcome: outcome, Status: status, Resource: resource}
	}

	// Without a grant the refusal stands.
	if st := g.do("GET", path, nil, refuse); st != http.StatusForbidden {
		t.Fatalf("refused read without a grant = %d", st)
	}
	// With one, the read is served on broken glass, with its reason.
	g.grants.set(patient, "Called to a fall out of hours", false)
	if st := g.do("GET", path, nil, refuse); st != http.StatusOK {
		t.Fatalf("refused read with a grant = %d", st)
	}
	// A change is not opened by it.
	if st := g.do("POST", path+"/notes", caseRequest{Notes: []string{"x"}, Forbid: true}, map[string]string{"If-Match": `"1"`}); st != http.StatusForbidden {
		t.Fatalf("refused change with a grant = %d", st)
	}
	// Nor is a process's read: break-glass is for people. (Its denial is
	// the fifth record, filed under the process's role.)
	if st := g.do("GET", path, nil, map[string]string{"X-Test-Refuse": "yes", "X-Test-System": "yes"}); st != http.StatusForbidden {
		t.Fatalf("a process's refused read with a grant = %d", st)
	}
	// Grants that cannot be checked: 503, and nothing recorded or served.
	g.grants.set(patient, "", true)
	if st := g.do("GET", path, nil, refuse); st != http.StatusServiceUnavailable {
		t.Fatalf("read while grants cannot be checked = %d", st)
	}
	opened := access.Change("careweave.test.case_opened.v1")
	system := rec(access.ReadRecord, access.NoBasis, "", access.Denied, 403, path)
	system.Role = auth.SystemRole
	wantRecords(t, g.records(patient),
		rec(opened, testBasis, "", access.Allowed, 201, path),
		rec(access.ReadRecord, access.NoBasis, "", access.Denied, 403, path),
		rec(access.ReadRecord, access.BreakGlass, "Called to a fall out of hours", access.Allowed, 200, path),
		rec("change", access.NoBasis, "", access.Denied, 403, path+"/notes"),
		system,
	)
}
