package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestRebuildFromTheStackEnvFileThenListGenerations(t *testing.T) {
	_, schema := testkit.Postgres(t)
	ns := testkit.NATS(t)
	js, err := jetstream.New(testkit.Connect(t, ns.ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	if err := natskit.Provision(t.Context(), js, natskit.TopologyConfig{}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		patient := fmt.Sprintf("01a20900-0000-7000-8000-%012d", i)
		en, err := events.New(hv.VisitRequested{Patient: patient, Practice: "L84001", PCN: "U84001", Reason: "fall", Source: hv.SourcePhone,
			Caller: hv.CallerRelative, RequestedAt: at}, events.Metadata{ID: events.NewID(at), Time: at, Subject: patient, Area: "U84001", CorrelationID: "carectl-test",
			Actor: events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}})
		if err != nil {
			t.Fatal(err)
		}
		en.StreamID, en.StreamVersion = fmt.Sprintf("visit-01a20900-0000-7000-9000-%012d", i), 1
		b, err := en.Encode()
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := events.SubjectOf(&en)
		if _, err := js.Publish(t.Context(), subject, b); err != nil {
			t.Fatal(err)
		}
	}
	// As make run leaves it.
	envFile := filepath.Join(t.TempDir(), "stack.env")
	if err := os.WriteFile(envFile, []byte("# test\nDATABASE_URL="+testkit.DatabaseURL(t)+"\nNATS_URL="+ns.ClientURL()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{"CAREWEAVE_STACK_ENV": envFile}[k] }

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"rebuild", "-schema", schema}, getenv, &out, &errOut); code != 0 {
		t.Fatalf("rebuild exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "generation 2 is live (was 1): 3 events applied") {
		t.Fatalf("rebuild said %q\n%s", out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "rebuild progress") {
		t.Fatalf("no progress shown: %q", errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"generations", "-schema", schema}, getenv, &out, &errOut); code != 0 {
		t.Fatalf("generations exited %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "retired") || !strings.Contains(lines[2], "live") || !strings.HasSuffix(lines[2], " 3") {
		t.Fatalf("generations:\n%s", out.String())
	}
}

func TestUsageMistakesExitTwo(t *testing.T) {
	none := func(string) string { return "" }
	for _, args := range [][]string{
		nil,
		{"frobnicate"},
		{"rebuild", "-batch", "0"},
		{"rebuild", "-stack-env", filepath.Join(t.TempDir(), "missing.env")},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, none, &out, &errOut); code != 2 {
			t.Errorf("carectl %v exited %d, want 2 (%s)", args, code, errOut.String())
		}
	}
}

func TestATeamSubscribesAndItsWatchResumesWhereItLeftOff(t *testing.T) {
	ns := testkit.NATS(t)
	js, err := jetstream.New(testkit.Connect(t, ns.ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	if err := natskit.Provision(t.Context(), js, natskit.TopologyConfig{}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	// Notices as the notify service's relay publishes them: three for
	// Severn ICT, two for Severn social care, interleaved.
	var ids []string
	for i, team := range []string{"team-severn-ict", "team-severn-social", "team-severn-ict", "team-severn-social", "team-severn-ict"} {
		patient := fmt.Sprintf("01a20900-0000-7000-8000-%012d", i)
		en, err := events.New(notify.DischargeNotice{Team: team, Kind: notify.DischargeRouted, Stay: fmt.Sprintf("stay-%d", i), Patient: patient,
			Pathway: "P1", DischargedAt: at, DueBy: at.Add(24 * time.Hour), SourceEvent: "e"}, events.Metadata{ID: events.NewID(at), Time: at,
			Subject: patient, Area: team, CorrelationID: "c", Actor: events.Actor{ID: "careweave-notify", Role: "system", Org: "careweave"}})
		if err != nil {
			t.Fatal(err)
		}
		en.StreamID, en.StreamVersion = notify.FeedStream(team), int64(i+1)
		b, err := en.Encode()
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := events.SubjectOf(&en)
		if _, err := js.Publish(t.Context(), subject, b); err != nil {
			t.Fatal(err)
		}
		if team == "team-severn-ict" {
			ids = append(ids, en.ID.String())
		}
	}
	envFile := filepath.Join(t.TempDir(), "stack.env")
	if err := os.WriteFile(envFile, []byte("NATS_URL="+ns.ClientURL()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{"CAREWEAVE_STACK_ENV": envFile}[k] }
	carectl := func(want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, getenv, &out, &errOut); code != want {
			t.Fatalf("carectl %v exited %d, want %d: %s", args, code, want, errOut.String())
		}
		return out.String()
	}
	carectl(2, "watch", "discharges", "-team", "team-severn-ict") // no subscription yet
	carectl(2, "subscriptions", "create", "-team", "team-nowhere")
	if out := carectl(0, "subscriptions", "create", "-team", "team-severn-ict"); !strings.Contains(out, "3 notices waiting") {
		t.Fatalf("create said %q", out)
	}
	first := strings.Split(strings.TrimSpace(carectl(0, "watch", "discharges", "-team", "team-severn-ict", "-count", "2")), "\n")
	second := strings.Split(strings.TrimSpace(carectl(0, "watch", "discharges", "-team", "team-severn-ict", "-count", "1")), "\n")
	got := append(first, second...)
	if len(got) != 3 {
		t.Fatalf("watched %q", got)
	}
	for i, line := range got {
		if !strings.HasSuffix(line, "id "+ids[i]) || !strings.Contains(line, "routed") {
			t.Errorf("notice %d: %q, want the team's notice %s (in order, none repeated, none of another team's)", i, line, ids[i])
		}
	}
	if out := carectl(0, "subscriptions", "list"); !strings.Contains(out, "team-severn-ict") || !strings.Contains(out, "care.notify.team-severn-ict.*.discharge_notice.>") {
		t.Fatalf("list said %q", out)
	}
}

// TestOnASecuredServerEachCommandSignsInAsItsUser: against a NATS with a
// user per component and TLS (as make run runs it), provision and
// subscriptions act as the administrator and watch as the team, each with
// its own seed from the stack env file's seed directory.
func TestOnASecuredServerEachCommandSignsInAsItsUser(t *testing.T) {
	principals := natsauth.Principals(directory.Demo())
	seeds := t.TempDir()
	keys, err := natsauth.EnsureSeeds(seeds, principals)
	if err != nil {
		t.Fatal(err)
	}
	users, err := natsauth.NewUsers(principals, keys)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := natsembed.EnsureDevCertificates(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ns, err := natsembed.Start(natsembed.Config{StoreDir: t.TempDir(), Users: users, TLS: certs.ServerTLS(false)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	envFile := filepath.Join(t.TempDir(), "stack.env")
	if err := os.WriteFile(envFile, []byte("NATS_URL="+ns.ClientURL()+"\nNATS_SEEDS_DIR="+seeds+"\nNATS_CA_FILE="+certs.CAFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{"CAREWEAVE_STACK_ENV": envFile}[k] }
	carectl := func(want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, getenv, &out, &errOut); code != want {
			t.Fatalf("carectl %v exited %d, want %d: %s", args, code, want, errOut.String())
		}
		return out.String()
	}
	if out := carectl(0, "provision"); !strings.Contains(out, "32 consumers") || !strings.Contains(out, "team-severn-ict") {
		t.Fatalf("provision said %q", out)
	}
	if out := carectl(0, "provision"); !strings.Contains(out, "new team subscriptions: none") {
		t.Fatalf("provision again said %q", out)
	}
	if out := carectl(0, "subscriptions", "create", "-clinician", "para-jess-patel"); !strings.Contains(out, "care.notify.para-jess-patel.>") ||
		!strings.Contains(out, "_INBOX.para-jess-patel") {
		t.Fatalf("create -clinician said %q", out)
	}
	carectl(2, "subscriptions", "create", "-clinician", "nobody")

	// The notify service publishes a notice for the team, as itself.
	nc, err := natskit.Connect(t.Context(), natskit.ConnectConfig{URL: ns.ClientURL(), Name: "notify", NKeySeedFile: natsauth.SeedFile(seeds, "notify"),
		CAFile: certs.CAFile, InboxPrefix: natsauth.InboxPrefix("notify")}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	patient := "01a20900-0000-7000-8000-000000000001"
	en, err := events.New(notify.DischargeNotice{Team: "team-severn-ict", Kind: notify.DischargeRouted, Stay: "stay-1", Patient: patient,
		Pathway: "P1", DischargedAt: at, DueBy: at.Add(24 * time.Hour), SourceEvent: "e"}, events.Metadata{ID: events.NewID(at), Time: at,
		Subject: patient, Area: "team-severn-ict", CorrelationID: "c", Actor: events.Actor{ID: "careweave-notify", Role: "system", Org: "careweave"}})
	if err != nil {
		t.Fatal(err)
	}
	en.StreamID, en.StreamVersion = notify.FeedStream("team-severn-ict"), 1
	b, err := en.Encode()
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := events.SubjectOf(&en)
	if _, err := js.Publish(t.Context(), subject, b); err != nil {
		t.Fatal(err)
	}
	if out := carectl(0, "watch", "discharges", "-team", "team-severn-ict", "-count", "1"); !strings.HasSuffix(strings.TrimSpace(out), "id "+en.ID.String()) {
		t.Fatalf("watch said %q", out)
	}
}
