package breakglass_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/breakglass"
)

func TestClientAsksWithTheCallersOwnTokenAndReadsTheAnswer(t *testing.T) {
	until := time.Now().Add(20 * time.Minute).UTC().Truncate(time.Second)
	answers := map[string]func(w http.ResponseWriter){
		"granted": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"patient":"p-1","reason":"Called to a fall","until":"` + until.Format(time.RFC3339) + `"}`))
		},
		"lapsed": func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"patient":"p-1","reason":"Called to a fall","until":"2020-01-01T00:00:00Z"}`))
		},
		"none":    func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) },
		"down":    func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) },
		"garbage": func(w http.ResponseWriter) { _, _ = w.Write([]byte(`{"patient":`)) },
		"other": func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"patient":"p-2","reason":"x","until":"2999-01-01T00:00:00Z"}`))
		},
		"no-reason": func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"patient":"p-1","until":"2999-01-01T00:00:00Z"}`))
		},
		"unexpected": func(w http.ResponseWriter) { w.WriteHeader(http.StatusForbidden) },
	}
	var answer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/base/v1/patients/p-1/break-glass" || r.Header.Get("Authorization") != "Bearer the-callers-token" {
			t.Errorf("asked %s %s with %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
		answers[answer](w)
	}))
	t.Cleanup(srv.Close)
	c, err := breakglass.NewClient(srv.URL+"/base/", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		answer  string
		granted bool
		failed  bool
	}{
		{"granted", true, false}, {"lapsed", false, false}, {"none", false, false}, {"down", false, true},
		{"garbage", false, true}, {"other", false, true}, {"no-reason", false, true}, {"unexpected", false, true},
	} {
		answer = tc.answer
		r := httptest.NewRequest(http.MethodGet, "/v1/visits/v-1", nil)
		r.Header.Set("Authorization", "Bearer the-callers-token")
		g, ok, err := c.Active(r, "p-1")
		if ok != tc.granted || (err != nil) != tc.failed || (tc.failed && !errors.Is(err, breakglass.ErrUnchecked)) {
			t.Errorf("%s: granted %v, err %v; want granted %v, failed %v", tc.answer, ok, err, tc.granted, tc.failed)
		}
		if tc.granted && (g.Reason != "Called to a fall" || !g.Until.Equal(until)) {
			t.Errorf("%s: grant %+v", tc.answer, g)
		}
	}
}

func TestNewClientWantsAnHTTPBaseURL(t *testing.T) {
	for _, base := range []string{"", "query:8080", "ftp://query", "http://", "://x"} {
		if _, err := breakglass.NewClient(base, time.Second); err == nil {
			t.Errorf("NewClient(%q) took it", base)
		}
	}
}
