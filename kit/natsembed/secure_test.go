package natsembed_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natsembed"
)

func secureServer(t *testing.T, verifyClients bool) (url, seeds string, certs natsembed.DevCertificates) {
	t.Helper()
	ps := []natsauth.Principal{natsauth.Admin(), natsauth.Team("team-x")}
	seeds = t.TempDir()
	keys, err := natsauth.EnsureSeeds(seeds, ps)
	if err != nil {
		t.Fatal(err)
	}
	users, err := natsauth.NewUsers(ps, keys)
	if err != nil {
		t.Fatal(err)
	}
	if certs, err = natsembed.EnsureDevCertificates(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	ns := startServer(t, natsembed.Config{StoreDir: t.TempDir(), Users: users, TLS: certs.ServerTLS(verifyClients), Logger: testLogger(t)})
	return ns.ClientURL(), seeds, certs
}

func seed(t *testing.T, seeds, user string) nats.Option {
	t.Helper()
	o, err := nats.NkeyOptionFromSeed(natsauth.SeedFile(seeds, user))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestServerWithUsersAndTLSLetsInOnlyThemOverTLS(t *testing.T) {
	url, seeds, certs := secureServer(t, false)
	nc, err := nats.Connect(url, nats.RootCAs(certs.CAFile), seed(t, seeds, "admin"), nats.CustomInboxPrefix(natsauth.InboxPrefix("admin")))
	if err != nil {
		t.Fatalf("admin over TLS: %v", err)
	}
	defer nc.Close()
	if !nc.TLSRequired() {
		t.Fatal("the server does not require TLS")
	}
	if _, err := nats.Connect(url, nats.RootCAs(certs.CAFile)); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("no credentials: %v, want an authorization violation", err)
	}
	other := t.TempDir()
	if _, err := natsauth.EnsureSeeds(other, []natsauth.Principal{natsauth.Admin()}); err != nil {
		t.Fatal(err)
	}
	if _, err := nats.Connect(url, nats.RootCAs(certs.CAFile), seed(t, other, "admin")); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("an unknown key: %v, want an authorization violation", err)
	}
	if _, err := nats.Connect(url, seed(t, seeds, "admin")); err == nil {
		t.Fatal("connected without trusting the development CA")
	}
}

func TestServerVerifyingClientsWantsACertificateFromTheCA(t *testing.T) {
	url, seeds, certs := secureServer(t, true)
	if _, err := nats.Connect(url, nats.RootCAs(certs.CAFile), seed(t, seeds, "team-x")); err == nil {
		t.Fatal("connected without a client certificate")
	}
	cert, key, err := certs.IssueClientCertificate("team-x")
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(url, nats.RootCAs(certs.CAFile), nats.ClientCert(cert, key), seed(t, seeds, "team-x"))
	if err != nil {
		t.Fatalf("with a client certificate: %v", err)
	}
	nc.Close()
}

func TestDevCertificatesAreKeptAndRenewedWhenHostsChange(t *testing.T) {
	dir := t.TempDir()
	first, err := natsembed.EnsureDevCertificates(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca, cert := read(t, first.CAFile), read(t, first.CertFile)
	for _, f := range []string{first.KeyFile, filepath.Join(dir, "ca-key.pem")} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v, want mode 0600", f, fi.Mode(), err)
		}
	}
	again, err := natsembed.EnsureDevCertificates(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, again.CAFile), ca) || !bytes.Equal(read(t, again.CertFile), cert) {
		t.Fatal("certificates still valid were replaced")
	}
	wider, err := natsembed.EnsureDevCertificates(dir, "127.0.0.1", "nats.internal")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, wider.CAFile), ca) {
		t.Fatal("the CA was replaced: clients trusting it would stop trusting the server")
	}
	if bytes.Equal(read(t, wider.CertFile), cert) {
		t.Fatal("the server certificate was kept though it does not name the new host")
	}
}

func TestConfigValidateChecksTLS(t *testing.T) {
	for _, tc := range []*natsembed.TLSConfig{{CertFile: "c"}, {CertFile: "c", KeyFile: "k", VerifyClients: true}} {
		if err := (natsembed.Config{StoreDir: "/tmp/x", TLS: tc}).Validate(); err == nil {
			t.Errorf("Validate accepted TLS %+v", tc)
		}
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
