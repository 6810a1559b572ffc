package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/testkit"
)

// natsAs connects to the stack's NATS as user, with its seed and inbox
// prefix, trusting the stack's CA, and records what the server refuses it.
func natsAs(t *testing.T, r Ready, user string) *natsClient {
	t.Helper()
	c := &natsClient{}
	nc, err := natskit.Connect(t.Context(), natskit.ConnectConfig{URL: r.NATSURL, Name: "test-" + user,
		NKeySeedFile: natsauth.SeedFile(r.NATSSeedsDir, user), CAFile: r.NATSCAFile, InboxPrefix: natsauth.InboxPrefix(user),
		Options: []nats.Option{nats.PermissionErrOnSubscribe(true), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrPermissionViolation) {
				c.mu.Lock()
				c.refused = append(c.refused, err.Error())
				c.mu.Unlock()
			}
		})}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("connect to NATS as %s: %v", user, err)
	}
	t.Cleanup(nc.Close)
	if _, err := nc.TLSConnectionState(); err != nil {
		t.Fatalf("%s is connected without TLS: %v", user, err)
	}
	c.nc = nc
	if c.js, err = jetstream.New(nc, jetstream.WithDefaultTimeout(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

type natsClient struct {
	nc *nats.Conn
	js jetstream.JetStream

	mu      sync.Mutex
	refused []string
}

// wasRefused waits for the server to have refused what names.
func (c *natsClient) wasRefused(t *testing.T, what string) {
	t.Helper()
	got := ""
	testkit.Eventually(t, 5*time.Second, func() bool {
		_ = c.nc.FlushTimeout(time.Second)
		c.mu.Lock()
		defer c.mu.Unlock()
		got = strings.Join(c.refused, "\n")
		return strings.Contains(got, what)
	}, "the server did not refuse %s; it refused:\n%s", what, stringer(func() string { return got }))
}

// stringer prints what a function returns when it is printed: a failure
// message's value read at the failure, not when the message was built.
type stringer func() string

func (s stringer) String() string { return s() }

// freshDatabase makes a database of its own for the test on DATABASE_URL's
// server, dropped afterwards, or returns "" for the stack's private cluster.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		return ""
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "careweave_dev_test_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatalf("connect to DATABASE_URL: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, base); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestTheStackRunsOnNATSUsersAndTLS starts the real stack — every service,
// the projector, the query API — on the embedded NATS with TLS and a user
// per component, and follows one discharge through it: the services publish
// as themselves, the projector and notify consume through the consumers the
// administrator made, and the community team's own NATS client, over TLS
// with its seed, receives the notice through its durable subscription,
// while the server refuses it another team's subjects and subscription.
func TestTheStackRunsOnNATSUsersAndTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every service")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := findRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := discoverServices(repo)
	if err != nil {
		t.Fatal(err)
	}
	db := freshDatabase(t)
	s := startStack(t, Config{RepoRoot: repo, DataDir: dataDir(t), BasePort: testkit.FreePorts(t, len(svcs)), DatabaseURL: db})
	r := s.ready
	if r.NATSSeedsDir == "" || r.NATSCAFile == "" || !strings.HasPrefix(r.NATSURL, "tls://127.0.0.1:") {
		t.Fatalf("ready = %+v, want NATS with seeds and a CA", r)
	}

	// Nobody gets in without a key, and nobody who does not trust the CA.
	if nc, err := nats.Connect(r.NATSURL, nats.RootCAs(r.NATSCAFile), nats.NoReconnect()); !errors.Is(err, nats.ErrAuthorization) {
		if err == nil {
			nc.Close()
		}
		t.Fatalf("a client without a key: %v, want refused", err)
	}
	if nc, err := nats.Connect(r.NATSURL, nats.NoReconnect()); err == nil {
		nc.Close()
		t.Fatal("a client not trusting the development CA connected")
	}

	// One patient, admitted, discharged on pathway 1 and handed to Severn
	// ICT for follow-up, as the demo care coordinator.
	const team, otherTeam = "team-severn-ict", "team-forest-ict"
	urls := map[string]string{}
	for _, e := range r.Services {
		urls[e.Name] = e.URL
	}
	token := mintToken(t, r.IssuerURL, `{"sub":"cc-nia-brown","role":"care-coordinator","org":"U84001","pcn":"U84001","ttl":"10m"}`)
	sd := seeder{urls: urls, token: token, client: &http.Client{Timeout: 10 * time.Second}, logger: testLogger(t), now: time.Now().UTC()}
	at := func(d time.Duration) string { return sd.now.Add(d).Format(time.RFC3339) }
	call := func(service, method, path, ifMatch string, body any, want int) map[string]any {
		t.Helper()
		key := ""
		if ifMatch == "" {
			key = "secure-test-" + service
		}
		status, out := sd.call(t.Context(), service, method, path, key, ifMatch, body)
		if status != want {
			t.Fatalf("%s %s %s = %d, want %d", service, method, path, status, want)
		}
		return out
	}
	patient := call("patients", "POST", "/v1/patients", "", map[string]any{"nhsNumber": seedNumber(0), "traceStatus": "01",
		"givenName": "Ada", "familyName": "Example", "birthDate": "1940-02-03", "practice": "L84003"}, http.StatusCreated)["patient"].(string)
	stay := call("discharge", "POST", "/v1/stays", "", map[string]any{"patient": patient, "hospitalSite": "RTE01", "ward": "Ward 3",
		"admittedAt": at(-96 * time.Hour), "admissionMethod": "emergency"}, http.StatusCreated)["id"].(string)
	path := "/v1/stays/" + stay
	call("discharge", "PUT", path+"/plan", `"1"`, map[string]any{"pathway": "P1", "expectedDate": sd.now.Format(time.DateOnly)}, http.StatusOK)
	call("discharge", "POST", path+"/discharge", `"2"`, map[string]any{"dischargedAt": at(-20 * time.Hour), "method": "hospital-transport",
		"destination": "usual-residence", "pathway": "P1", "needs": []string{"reablement"}}, http.StatusOK)
	call("discharge", "PUT", path+"/follow-up", `"3"`, map[string]any{"teamId": team}, http.StatusOK)

	// The team, signed in as itself over TLS, pulls its notice from its
	// subscription (made by careweave-dev as the administrator).
	severn := natsAs(t, r, team)
	sub, err := severn.js.Consumer(t.Context(), natskit.EventStream, natskit.RecipientDurable(team))
	if err != nil {
		t.Fatalf("%s reads its subscription: %v", team, err)
	}
	reg := notify.Registry()
	var notice notify.DischargeNotice
	deadline := time.Now().Add(time.Minute)
	for notice.Patient != patient {
		if time.Now().After(deadline) {
			t.Fatalf("%s received no discharge notice for its patient within a minute", team)
		}
		m, err := sub.Next(jetstream.FetchMaxWait(2 * time.Second))
		if errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) {
			continue
		}
		if err != nil {
			t.Fatalf("%s pulls a notice: %v", team, err)
		}
		env, err := events.Decode(m.Data())
		if err != nil {
			t.Fatal(err)
		}
		data, err := reg.Decode(env)
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := data.(notify.DischargeNotice); ok {
			notice = d
		}
		if err := m.DoubleAck(t.Context()); err != nil {
			t.Fatalf("%s acks its notice: %v", team, err)
		}
	}
	if notice.Team != team || notice.Kind != notify.DischargeRouted || !strings.Contains(notice.Stay, stay) {
		t.Errorf("notice = %+v, want the stay %s routed to %s", notice, stay, team)
	}

	// The server refuses the team another team's notices, live or through
	// that team's subscription, and any publishing.
	live, err := severn.nc.SubscribeSync(notify.Filter(otherTeam))
	if err != nil {
		t.Fatal(err)
	}
	severn.wasRefused(t, fmt.Sprintf("Subscription to %q", notify.Filter(otherTeam)))
	if _, err := live.NextMsg(time.Second); !errors.Is(err, nats.ErrPermissionViolation) {
		t.Errorf("a live subscription to %s: %v, want a permissions violation", notify.Filter(otherTeam), err)
	}
	short, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := severn.js.Consumer(short, natskit.EventStream, natskit.RecipientDurable(otherTeam)); err == nil {
		t.Errorf("%s read %s's subscription", team, otherTeam)
	}
	severn.wasRefused(t, fmt.Sprintf("Publish to %q", "$JS.API.CONSUMER.INFO.CARE."+natskit.RecipientDurable(otherTeam)))
	if err := severn.nc.Publish("care.discharge.U84001.p00.patient_discharged.v1", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	severn.wasRefused(t, "Publish to \"care.discharge.U84001.p00.patient_discharged.v1\"")

	// The services published as themselves, and the projector consumed the
	// patient's partition through the consumer the administrator made:
	// delivered and acked (after commit) up to the last discharge event,
	// nothing parked.
	admin := natsAs(t, r, natsauth.AdminName)
	stream, err := admin.js.Stream(t.Context(), natskit.EventStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(t.Context(), jetstream.WithSubjectFilter("care.*.*."+events.PartitionToken(events.Partition(patient))+".>"))
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"patients", "discharge"} {
		n := 0
		for subject, c := range info.State.Subjects {
			if strings.HasPrefix(subject, "care."+svc+".") {
				n += int(c)
			}
		}
		if n == 0 {
			t.Errorf("no event of %s's on the stream", svc)
		}
	}
	last, err := stream.GetLastMsgForSubject(t.Context(), "care.discharge.*."+events.PartitionToken(events.Partition(patient))+".>")
	if err != nil {
		t.Fatal(err)
	}
	projector, err := admin.js.Consumer(t.Context(), natskit.EventStream, natskit.ProjectorDurable(events.Partition(patient)))
	if err != nil {
		t.Fatal(err)
	}
	var acked uint64
	testkit.Eventually(t, 30*time.Second, func() bool {
		ci, err := projector.Info(t.Context())
		if err == nil {
			acked = ci.AckFloor.Stream
		}
		return acked >= last.Sequence
	}, "the projector did not ack up to the discharge event (stream sequence %d); it acked to %v", last.Sequence, stringer(func() string { return fmt.Sprint(acked) }))
	poison, err := admin.js.Stream(t.Context(), natskit.PoisonStream)
	if err != nil {
		t.Fatal(err)
	}
	if pi, err := poison.Info(t.Context()); err != nil || pi.State.Msgs != 0 {
		t.Errorf("poison stream: %v, %v; want nothing parked", pi.State, err)
	}

	if err := s.stop(t); err != nil {
		t.Fatalf("stack stopped with %v, want a clean stop", err)
	}
}

// TestEachChildGetsItsOwnNATSUserOrNone: a child signs in with its own seed
// and inbox prefix when the seed directory has one by its name, with none
// otherwise, and every NATS_* setting is given so the shell's cannot leak in.
func TestEachChildGetsItsOwnNATSUserOrNone(t *testing.T) {
	seeds := t.TempDir()
	if _, err := natsauth.EnsureSeeds(seeds, []natsauth.Principal{natsauth.Service("discharge")}); err != nil {
		t.Fatal(err)
	}
	n := natsStack{infra: infra{url: "tls://127.0.0.1:4222"}, seeds: seeds, caFile: "/ca.pem"}
	env := strings.Join(n.childEnv("discharge"), "\n") + "\n"
	for _, want := range []string{"NATS_URL=tls://127.0.0.1:4222\n", "NATS_NKEY_SEED_FILE=" + natsauth.SeedFile(seeds, "discharge") + "\n",
		"NATS_INBOX_PREFIX=_INBOX.discharge\n", "NATS_CA_FILE=/ca.pem\n", "NATS_USER=\n", "NATS_PASSWORD=\n", "NATS_CERT_FILE=\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("discharge's environment lacks %q:\n%s", want, env)
		}
	}
	if env := strings.Join(n.childEnv("visitsd"), "\n") + "\n"; !strings.Contains(env, "NATS_NKEY_SEED_FILE=\n") || !strings.Contains(env, "NATS_INBOX_PREFIX=\n") {
		t.Errorf("a child without a user got credentials:\n%s", env)
	}
	plain := natsStack{infra: infra{url: "nats://127.0.0.1:4222"}}
	if env := strings.Join(plain.childEnv("discharge"), "\n") + "\n"; !strings.Contains(env, "NATS_NKEY_SEED_FILE=\n") || plain.stackEnv() != "" {
		t.Errorf("without credentials a child got some:\n%s", env)
	}
	if got := n.stackEnv(); got != "NATS_SEEDS_DIR="+seeds+"\nNATS_CA_FILE=/ca.pem\n" {
		t.Errorf("stack env = %q", got)
	}
}
