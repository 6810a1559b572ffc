package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/services/patients"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type patient struct {
	Patient, Status, NHSNumber, TraceStatus, GivenName, FamilyName, BirthDate, Practice, PCN, Survivor string
	Version                                                                                            int
}

func start(t *testing.T) *servicetest.Stack {
	t.Helper()
	return servicetest.Start(t, "patients", patients.Options(directory.Demo(), false))
}

// careEvents returns the registry's own events JetStream holds once it
// holds at least n of them, leaving out the access records.
func careEvents(t *testing.T, s *servicetest.Stack, n int) []servicetest.Published {
	t.Helper()
	var got []servicetest.Published
	testkit.Eventually(t, 15*time.Second, func() bool {
		got = nil
		for _, e := range s.WaitEvents(0) {
			if !strings.HasPrefix(e.Subject, "care.access.") {
				got = append(got, e)
			}
		}
		return len(got) >= n
	}, "fewer than %d events published", n)
	return got
}

const alice = `{"nhsNumber":"999 000 0018","traceStatus":"01","givenName":"Alice","familyName":"Example","birthDate":"1941-02-03","practice":"L84001"}`

func TestRegisterResolveChangeAndMerge(t *testing.T) {
	s := start(t)

	first := s.Do("POST", "/v1/patients", alice, map[string]string{"Idempotency-Key": "reg-1"})
	if first.Status != 201 {
		t.Fatalf("register = %d %s", first.Status, first.Body)
	}
	var p patient
	first.JSON(t, &p)
	if p.Patient == "" || p.PCN != "U84001" || p.Version != 1 || first.Header.Get("ETag") != `"1"` || first.Header.Get("Location") != "/v1/patients/"+p.Patient {
		t.Fatalf("registered %+v, headers %v", p, first.Header)
	}

	// A retry with the same key answers the same and records nothing new.
	again := s.Do("POST", "/v1/patients", alice, map[string]string{"Idempotency-Key": "reg-1"})
	if again.Status != 201 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry = %d %s", again.Status, again.Body)
	}
	// The same number under a new key is the same patient: 409 naming it.
	dup := s.Do("POST", "/v1/patients", alice, map[string]string{"Idempotency-Key": "reg-2"})
	if dup.Status != 409 || !strings.Contains(dup.Problem(t).Detail, p.Patient) {
		t.Fatalf("second registration = %d %s", dup.Status, dup.Body)
	}

	res := s.Do("POST", "/v1/patients/resolve", `{"nhsNumber":"9990000018"}`, nil)
	var r struct{ Patient, Practice, PCN string }
	res.JSON(t, &r)
	if res.Status != 200 || r.Patient != p.Patient {
		t.Fatalf("resolve = %d %s", res.Status, res.Body)
	}

	// Changes need the version read; a stale one changes nothing.
	path := "/v1/patients/" + p.Patient
	if got := s.Do("PATCH", path, `{"familyName":"Married"}`, nil); got.Status != 428 {
		t.Fatalf("PATCH without If-Match = %d", got.Status)
	}
	changed := s.Do("PATCH", path, `{"familyName":"Married","traceStatus":"02"}`, map[string]string{"If-Match": `"1"`})
	if changed.Status != 200 || changed.Header.Get("ETag") != `"3"` {
		t.Fatalf("PATCH = %d %s %v", changed.Status, changed.Body, changed.Header)
	}
	if stale := s.Do("PATCH", path, `{"familyName":"Other"}`, map[string]string{"If-Match": `"1"`}); stale.Status != 412 {
		t.Fatalf("stale PATCH = %d %s", stale.Status, stale.Body)
	}
	got := s.Do("GET", path, nil, nil)
	got.JSON(t, &p)
	if p.FamilyName != "Married" || p.TraceStatus != "02" || p.Version != 3 {
		t.Fatalf("after change: %+v", p)
	}

	bob := s.Do("POST", "/v1/patients", strings.ReplaceAll(alice, "999 000 0018", "9990000026"), map[string]string{"Idempotency-Key": "reg-3"})
	var b patient
	bob.JSON(t, &b)
	merged := s.Do("POST", "/v1/patients/"+b.Patient+"/merge", `{"survivor":"`+p.Patient+`"}`, map[string]string{"If-Match": `"1"`})
	if merged.Status != 200 {
		t.Fatalf("merge = %d %s", merged.Status, merged.Body)
	}
	res = s.Do("POST", "/v1/patients/resolve", `{"nhsNumber":"999 000 0026"}`, nil)
	res.JSON(t, &r)
	if r.Patient != p.Patient {
		t.Fatalf("a merged number resolves to %s, want the survivor %s", r.Patient, p.Patient)
	}
	if again := s.Do("POST", "/v1/patients/"+b.Patient+"/merge", `{"survivor":"`+p.Patient+`"}`, map[string]string{"If-Match": `"2"`}); again.Status != 409 || !strings.Contains(again.Problem(t).Detail, "merged") {
		t.Fatalf("merging a merged record = %d %s", again.Status, again.Body)
	}

	// Other services resolve through the registry client, merges followed.
	c, err := patientref.New(s.URL, servicetest.ServiceClient(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range [][2]string{{b.Patient, ""}, {"", "9990000026"}, {p.Patient, ""}} {
		reg, err := c.Patient(t.Context(), q[0], q[1])
		if err != nil || reg.Patient != p.Patient || reg.PCN != "U84001" || reg.Practice != "L84001" {
			t.Fatalf("Patient(%q, %q) = %+v, %v; want the survivor", q[0], q[1], reg, err)
		}
	}
	for _, q := range [][2]string{{"", ""}, {"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", ""}, {"", "9990000034"}, {p.Patient, "9990000018"}} {
		if _, err := c.Patient(t.Context(), q[0], q[1]); httpkit.KindOf(err) != httpkit.KindInvalid {
			t.Fatalf("Patient(%q, %q) = %v, want a 400", q[0], q[1], err)
		}
	}
	down, _ := patientref.New("http://127.0.0.1:1", servicetest.ServiceClient(t))
	if _, err := down.Patient(t.Context(), p.Patient, ""); httpkit.KindOf(err) != httpkit.KindUnavailable {
		t.Fatalf("unreachable registry: %v, want a 503", err)
	}

	// What reaches NATS names the patient only by reference.
	for _, e := range careEvents(t, s, 5) {
		raw, _ := json.Marshal(e.Envelope)
		for _, secret := range []string{"9990000018", "9990000026", "Alice", "Example", "Married", "1941"} {
			if strings.Contains(string(raw), secret) || strings.Contains(e.Subject, secret) {
				t.Fatalf("personal detail %q left the registry in %s on %s", secret, e.Envelope.Type, e.Subject)
			}
		}
		if e.Envelope.ActorID != "tester" || e.Envelope.CorrelationID == "" {
			t.Fatalf("event lacks actor or correlation: %+v", e.Envelope)
		}
	}
}

func TestBadInputGetsAProblemAndChangesNothing(t *testing.T) {
	s := start(t)
	key := map[string]string{"Idempotency-Key": "k"}
	cases := []struct {
		name, body string
		headers    map[string]string
		status     int
		field      string
	}{
		{"malformed", `{"nhsNumber":`, key, 400, "body"},
		{"unknown field", strings.Replace(alice, `"practice"`, `"colour":"red","practice"`, 1), key, 400, "colour"},
		{"bad check digit", strings.Replace(alice, "0018", "0019", 1), key, 400, "nhsNumber"},
		{"real number refused", strings.Replace(alice, "999 000 0018", "943 476 5919", 1), key, 400, "nhsNumber"},
		{"unknown practice", strings.Replace(alice, "L84001", "Z99999", 1), key, 400, "practice"},
		{"future birth", strings.Replace(alice, "1941-02-03", "2999-01-01", 1), key, 400, "birthDate"},
		{"bad trace status", strings.Replace(alice, `"01"`, `"11"`, 1), key, 400, "traceStatus"},
		{"oversized", `{"givenName":"` + strings.Repeat("x", 70000) + `"}`, key, 413, ""},
		{"no key", alice, nil, 400, "Idempotency-Key"},
		{"no actor", alice, map[string]string{"Idempotency-Key": "k", "Authorization": ""}, 401, "Authorization"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := s.Do("POST", "/v1/patients", c.body, c.headers)
			p := got.Problem(t)
			if got.Status != c.status || (c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field)) {
				t.Fatalf("= %d %s; want %d on %q", got.Status, got.Body, c.status, c.field)
			}
		})
	}
	var n int
	if err := s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+s.Schema+".events WHERE stream_id NOT LIKE 'access-%'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused requests stored %d events (%v)", n, err)
	}
}
