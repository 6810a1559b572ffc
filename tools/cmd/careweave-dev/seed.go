package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/auth"
)

// The demo seed: synthetic patients registered at the demo PCN's practices
// and a little care in flight in every service, so a new user of `make run`
// opens a living system. NHS numbers come from the never-issued 999 range
// (9990001xxx, clear of the READMEs' 99900000xx); names are invented. It runs
// once per data directory: when the first patient is already registered it
// does nothing. It acts as the demo PCN's care coordinator, with a token
// the stack's issuer mints in-process.

var seedNames = [][2]string{
	{"Margaret", "Ashdown"}, {"Harold", "Bellamy"}, {"Doris", "Carrow"}, {"Albert", "Dunmore"},
	{"Joan", "Ellery"}, {"Stanley", "Fairweather"}, {"Irene", "Gosling"}, {"Leonard", "Hatherley"},
	{"Winifred", "Ingram"}, {"Cyril", "Jessop"}, {"Beryl", "Kingsley"}, {"Norman", "Lavington"},
	{"Sylvia", "Marlow"}, {"Dennis", "Norbury"}, {"Pauline", "Oakes"}, {"Reginald", "Penrose"},
}

var seedPractices = []string{"L84001", "L84002", "L84003", "L84004"}

// seedNumber returns the i-th valid NHS number from 999 000 1000 upwards.
func seedNumber(i int) string {
	for n := 1000; ; n++ {
		nine := fmt.Sprintf("999%06d", n)
		sum := 0
		for k := 0; k < 9; k++ {
			sum += int(nine[k]-'0') * (10 - k)
		}
		check := 11 - sum%11
		if check == 10 {
			continue
		}
		if check == 11 {
			check = 0
		}
		if i == 0 {
			return fmt.Sprintf("%s%d", nine, check)
		}
		i--
	}
}

// demoCoordinator is who the seed acts as.
var demoCoordinator = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"}

// seedTokenTTL outlasts the seed: it waits up to a minute for each service.
const seedTokenTTL = time.Hour

type seeder struct {
	urls   map[string]string
	token  string
	client *http.Client
	logger *slog.Logger
	now    time.Time
}

// seed registers the patients and starts some care, authenticated with a
// token from issuer. Failures are logged, never fatal: the stack is usable
// without its demo data.
func seed(ctx context.Context, endpoints []Endpoint, issuer *auth.Issuer, logger *slog.Logger) {
	token, err := issuer.Mint(demoCoordinator, tokenAudience, seedTokenTTL)
	if err != nil {
		logger.Warn("demo seed skipped: minting its token failed", "err", err)
		return
	}
	s := seeder{urls: map[string]string{}, token: token, client: &http.Client{Timeout: 10 * time.Second}, logger: logger, now: time.Now().UTC()}
	for _, e := range endpoints {
		s.urls[e.Name] = e.URL
	}
	if s.urls["patients"] == "" {
		return
	}
	for name, url := range s.urls {
		if !s.ready(ctx, url) {
			logger.Warn("demo seed skipped: a service is not ready", "service", name)
			return
		}
	}
	// Registration retries are idempotent, so ask the registry whether the
	// first demo patient exists rather than trying to register them again.
	if status, _ := s.call(ctx, "patients", "POST", "/v1/patients/resolve", "", "", map[string]string{"nhsNumber": seedNumber(0)}); status == http.StatusOK {
		logger.Info("demo data already seeded")
		return
	}
	refs := make([]string, len(seedNames))
	for i, n := range seedNames {
		status, body := s.call(ctx, "patients", "POST", "/v1/patients", "seed-patient-"+fmt.Sprint(i), "",
			map[string]any{"nhsNumber": seedNumber(i), "traceStatus": "01", "givenName": n[0], "familyName": n[1],
				"birthDate": fmt.Sprintf("19%02d-%02d-%02d", 30+i*3%40, 1+i%12, 1+i*7%28), "practice": seedPractices[i%len(seedPractices)]})
		if status != http.StatusCreated {
			logger.Warn("demo seed: registering a patient failed", "status", status)
			return
		}
		refs[i] = body["patient"].(string)
	}
	s.care(ctx, refs)
	logger.Info("demo data seeded", "patients", len(refs))
}

// care puts a little of every service's work in flight.
func (s *seeder) care(ctx context.Context, p []string) {
	at := func(d time.Duration) string { return s.now.Add(d).Format(time.RFC3339) }
	// Home visits: two requests this morning, one triaged and assigned.
	if _, v := s.call(ctx, "homevisits", "POST", "/v1/visits", "seed-visit-0", "", map[string]any{
		"patient": p[0], "reason": "Fall overnight, now unsteady", "source": "phone", "caller": "relative"}); v != nil {
		id := v["visit"]
		s.call(ctx, "homevisits", "POST", fmt.Sprintf("/v1/visits/%v/triage", id), "", `"1"`, map[string]any{"urgency": "same-day", "triagedBy": "gp-amara-okafor"})
		s.call(ctx, "homevisits", "POST", fmt.Sprintf("/v1/visits/%v/assign", id), "", `"2"`, map[string]any{"clinicianId": "para-jess-patel"})
	}
	s.call(ctx, "homevisits", "POST", "/v1/visits", "seed-visit-1", "", map[string]any{
		"patient": p[1], "reason": "Breathless, worse than usual", "source": "phone", "caller": "patient"})
	// Medication reviews: two candidates identified.
	s.call(ctx, "medreviews", "POST", "/v1/reviews", "seed-review-0", "", map[string]any{
		"patient": p[2], "criteria": []string{"polypharmacy-10-plus", "recent-fall"}, "identifiedBy": "pharm-ravi-shah"})
	s.call(ctx, "medreviews", "POST", "/v1/reviews", "seed-review-1", "", map[string]any{
		"patient": p[3], "criteria": []string{"opioids"}, "identifiedBy": "pharm-ellen-moss"})
	// Care homes: a resident admitted to Willow Court and this week's round.
	s.call(ctx, "carehomes", "POST", "/v1/residencies", "seed-residency-0", "", map[string]any{"patient": p[4], "careHomeId": "home-willow-court"})
	if _, r := s.call(ctx, "carehomes", "POST", "/v1/rounds", "seed-round-0", "", map[string]any{"careHomeId": "home-willow-court", "plannedStart": at(2 * time.Hour)}); r != nil {
		s.call(ctx, "carehomes", "POST", fmt.Sprintf("/v1/rounds/%v/nominations", r["id"]), "", `"1"`,
			map[string]any{"patient": p[4], "nominatedBy": "home", "reason": "New admission: assessment due", "priority": "high"})
	}
	// Discharge: one patient on the ward, one home yesterday on pathway 1.
	s.call(ctx, "discharge", "POST", "/v1/stays", "seed-stay-0", "", map[string]any{"patient": p[5], "hospitalSite": "RTE01", "ward": "Ward 7", "admittedAt": at(-30 * time.Hour), "admissionMethod": "emergency"})
	if _, st := s.call(ctx, "discharge", "POST", "/v1/stays", "seed-stay-1", "", map[string]any{"patient": p[6], "hospitalSite": "RTE01", "ward": "Ward 3", "admittedAt": at(-96 * time.Hour), "admissionMethod": "emergency"}); st != nil {
		path := fmt.Sprintf("/v1/stays/%v", st["id"])
		s.call(ctx, "discharge", "PUT", path+"/plan", "", `"1"`, map[string]any{"pathway": "P1", "expectedDate": s.now.Format(time.DateOnly)})
		s.call(ctx, "discharge", "POST", path+"/discharge", "", `"2"`, map[string]any{"dischargedAt": at(-20 * time.Hour), "method": "hospital-transport", "destination": "usual-residence", "pathway": "P1", "needs": []string{"reablement"}})
		s.call(ctx, "discharge", "PUT", path+"/follow-up", "", `"3"`, map[string]any{"teamId": "team-severn-ict"})
	}
}

func (s *seeder) ready(ctx context.Context, url string) bool {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/readyz", nil)
		if resp, err := s.client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(200 * time.Millisecond):
		}
	}
	return false
}

// call sends one command as the demo PCN's care coordinator and returns
// the status and decoded body (nil unless 2xx).
func (s *seeder) call(ctx context.Context, service, method, path, key, ifMatch string, body any) (int, map[string]any) {
	base, ok := s.urls[service]
	if !ok {
		return 0, nil
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.logger.Warn("demo seed call failed", "service", service, "err", err)
		return 0, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		expected := resp.StatusCode == http.StatusConflict || (resp.StatusCode == http.StatusNotFound && path == "/v1/patients/resolve")
		if !expected {
			s.logger.Warn("demo seed call refused", "service", service, "route", method+" "+path, "status", resp.StatusCode, "problem", string(raw))
		}
		return resp.StatusCode, nil
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}
