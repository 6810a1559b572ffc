package notify_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	notifysvc "github.com/careweave/careweave/services/notify"
)

const hookSecret = "a-team-secret-of-at-least-32-characters"

func TestATeamRegistersAWebhookAndGetsItsDischargesSigned(t *testing.T) {
	svc := servicetest.Start(t, "notify", notifysvc.Options(directory.Demo(),
		notifysvc.WebhookConfig{AllowHTTP: true, AllowPrivateNetworks: true, Timeout: time.Second, MaxAttempts: 3, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}))
	p := &publisher{js: svc.JS, versions: map[string]int64{}}

	var mu sync.Mutex
	var got []string // stays, in arrival order, signature checked
	fail := true     // the endpoint is down at first
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if notify.Verify([]byte(hookSecret), r.Header.Get(notify.SignatureHeader), body, time.Now(), time.Minute) != nil {
			t.Errorf("a delivery's signature does not verify")
		}
		en, err := events.Decode(body)
		if err != nil {
			t.Errorf("delivery: %v", err)
			return
		}
		data, err := notify.Registry().Decode(en)
		if err != nil {
			t.Errorf("delivery: %v", err)
			return
		}
		got = append(got, data.(notify.DischargeNotice).Stay)
	}))
	t.Cleanup(rcv.Close)

	// Bad registrations change nothing.
	for _, c := range []struct {
		team, field string
		body        any
	}{
		{"team-nowhere", "team", map[string]string{"url": rcv.URL, "secret": hookSecret}},
		{"team-severn-ict", "secret", map[string]string{"url": rcv.URL, "secret": "short"}},
		{"team-severn-ict", "url", map[string]string{"url": "ftp://example.org", "secret": hookSecret}},
	} {
		r := svc.Do("PUT", "/v1/teams/"+c.team+"/webhook", c.body, nil)
		if r.Status != http.StatusBadRequest || len(r.Problem(t).Errors) == 0 || r.Problem(t).Errors[0].Field != c.field {
			t.Fatalf("PUT %s %v = %d %s, want 400 naming %s", c.team, c.body, r.Status, r.Body, c.field)
		}
	}
	if r := svc.Do("GET", "/v1/teams/team-severn-ict/webhook", nil, nil); r.Status != http.StatusNotFound {
		t.Fatalf("GET before registering = %d", r.Status)
	}
	if r := svc.Do("PUT", "/v1/teams/team-severn-ict/webhook", map[string]string{"url": rcv.URL, "secret": hookSecret}, nil); r.Status != http.StatusOK {
		t.Fatalf("PUT = %d %s", r.Status, r.Body)
	}

	// Two discharges for Severn ICT, one for another team; the endpoint is
	// down until the webhook dies.
	var status struct {
		State             string
		DeliveredSequence int64
		FeedSequence      int64
	}
	// The patients are in different partitions, so the feed holds their
	// notices in the order they happen to be routed: let a's land first.
	p.publish(t, patient(1), "stay-a", routed("team-severn-ict", "a"), "")
	testkit.Eventually(t, 30*time.Second, func() bool {
		svc.Do("GET", "/v1/teams/team-severn-ict/webhook", nil, nil).JSON(t, &status)
		return status.FeedSequence == 1
	}, "a's notice is not on the feed: %+v", status)
	p.publish(t, patient(2), "stay-x", routed("team-forest-ict", "x"), "")
	p.publish(t, patient(3), "stay-b", routed("team-severn-ict", "b"), "")
	testkit.Eventually(t, 30*time.Second, func() bool {
		svc.Do("GET", "/v1/teams/team-severn-ict/webhook", nil, nil).JSON(t, &status)
		return status.State == "dead" && status.FeedSequence == 2
	}, "webhook status %+v, want dead with 2 notices on the feed", status)

	// The endpoint recovers; a redelivery request sends both, in order.
	mu.Lock()
	fail = false
	mu.Unlock()
	if r := svc.Do("POST", "/v1/teams/team-severn-ict/webhook/redeliver", map[string]any{}, nil); r.Status != http.StatusAccepted {
		t.Fatalf("redeliver = %d %s", r.Status, r.Body)
	}
	testkit.Eventually(t, 30*time.Second, func() bool {
		svc.Do("GET", "/v1/teams/team-severn-ict/webhook", nil, nil).JSON(t, &status)
		return status.DeliveredSequence == 2 && status.State == "delivering"
	}, "webhook status %+v after redelivery", status)
	mu.Lock()
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("the team's endpoint got %q, want its own two discharges in order", got)
	}
	mu.Unlock()
	if r := svc.Do("DELETE", "/v1/teams/team-severn-ict/webhook", nil, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE = %d", r.Status)
	}
}
