package natskit_test

import (
	"context"
	"flag"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/natskit"
)

func TestConnectConfigValidate(t *testing.T) {
	for name, c := range map[string]natskit.ConnectConfig{
		"no url":             {},
		"seed and user":      {URL: "nats://x", NKeySeedFile: "s", User: "u"},
		"password alone":     {URL: "nats://x", Password: "p"},
		"cert without key":   {URL: "nats://x", CertFile: "c"},
		"wildcard inbox":     {URL: "nats://x", InboxPrefix: "_INBOX.*"},
		"inbox ends in dot":  {URL: "nats://x", InboxPrefix: "_INBOX.a."},
		"inbox with a space": {URL: "nats://x", InboxPrefix: "_INBOX a"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := (natskit.ConnectConfig{URL: "nats://x"}).Validate(); err != nil {
		t.Errorf("the plain config: %v", err)
	}
}

func TestBindCredentialsReadsTheEnvironment(t *testing.T) {
	env := map[string]string{"NATS_NKEY_SEED_FILE": "/s/discharge.nk", "NATS_CA_FILE": "/t/ca.pem", "NATS_INBOX_PREFIX": "_INBOX.discharge"}
	var c natskit.ConnectConfig
	b := config.NewBinder(flag.NewFlagSet("t", flag.ContinueOnError), func(k string) string { return env[k] })
	c.BindCredentials(b)
	if err := b.Parse([]string{"-nats-cert-file", "/t/c.pem", "-nats-key-file", "/t/k.pem"}); err != nil {
		t.Fatal(err)
	}
	want := natskit.ConnectConfig{NKeySeedFile: "/s/discharge.nk", CAFile: "/t/ca.pem", InboxPrefix: "_INBOX.discharge", CertFile: "/t/c.pem", KeyFile: "/t/k.pem"}
	if c.NKeySeedFile != want.NKeySeedFile || c.CAFile != want.CAFile || c.InboxPrefix != want.InboxPrefix || c.CertFile != want.CertFile || c.KeyFile != want.KeyFile || c.User != "" {
		t.Fatalf("bound %+v", c)
	}
}

// TestConnectWithCredentialsAndTLS: a component connects with its seed,
// the CA and its inbox prefix and can use JetStream; a refused key or an
// untrusted server ends Connect at once instead of retrying forever.
func TestConnectWithCredentialsAndTLS(t *testing.T) {
	ps := []natsauth.Principal{natsauth.Admin(), natsauth.Service("discharge")}
	seeds := t.TempDir()
	keys, err := natsauth.EnsureSeeds(seeds, ps)
	if err != nil {
		t.Fatal(err)
	}
	users, err := natsauth.NewUsers(ps, keys)
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
	logger := slog.New(slog.DiscardHandler)
	cfg := func(user string) natskit.ConnectConfig {
		return natskit.ConnectConfig{URL: ns.ClientURL(), Name: user, NKeySeedFile: natsauth.SeedFile(seeds, user), CAFile: certs.CAFile, InboxPrefix: natsauth.InboxPrefix(user)}
	}
	nc, err := natskit.Connect(t.Context(), cfg("admin"), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := natskit.Provision(t.Context(), js, natskit.TopologyConfig{}); err != nil {
		t.Fatalf("provision as admin over TLS with its inbox prefix: %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	strangers := t.TempDir()
	if _, err := natsauth.EnsureSeeds(strangers, []natsauth.Principal{natsauth.Service("discharge")}); err != nil {
		t.Fatal(err)
	}
	wrongKey := cfg("discharge")
	wrongKey.NKeySeedFile = natsauth.SeedFile(strangers, "discharge")
	noCA := cfg("discharge")
	noCA.CAFile = ""
	missingCA := cfg("discharge")
	missingCA.CAFile = certs.CAFile + ".missing"
	for name, c := range map[string]natskit.ConnectConfig{"unknown key": wrongKey, "untrusted server": noCA, "missing CA file": missingCA} {
		start := time.Now()
		nc, err := natskit.Connect(ctx, c, logger)
		if err == nil {
			nc.Close()
			t.Fatalf("%s: connected", name)
		}
		if time.Since(start) > 5*time.Second || ctx.Err() != nil {
			t.Fatalf("%s: Connect kept retrying (%v): %v", name, time.Since(start), err)
		}
		if !strings.Contains(err.Error(), "connect to nats") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
