package natsauth_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natsembed"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/testkit"
)

// TestRenderedFileHoldsTheSameUsers: nats-server reads the rendered file
// into exactly the users and permissions Apply gives an embedded server, in
// their own account with JetStream, with TLS; and a server run from it
// refuses a team what the embedded one does.
func TestRenderedFileHoldsTheSameUsers(t *testing.T) {
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
	var buf bytes.Buffer
	if err := natsauth.Render(&buf, natsauth.ServerConfig{
		Header: "test", ServerName: "test-1", Listen: "127.0.0.1:4222", StoreDir: t.TempDir(), MaxPayload: "1MB",
		TLS:   &natsauth.TLSFiles{CertFile: certs.CertFile, KeyFile: certs.KeyFile, CAFile: certs.CAFile},
		Users: users,
	}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := server.ProcessConfigFile(file)
	if err != nil {
		t.Fatalf("nats-server cannot read the rendered file: %v\n%s", err, buf.String())
	}
	var embedded server.Options
	if err := natsauth.Apply(&embedded, users); err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*server.Permissions{}
	for _, u := range embedded.Nkeys {
		byKey[u.Nkey] = u.Permissions
	}
	if len(opts.Nkeys) != len(users) {
		t.Fatalf("the file has %d users, want %d", len(opts.Nkeys), len(users))
	}
	for _, u := range opts.Nkeys {
		if u.Account == nil || u.Account.Name != "CAREWEAVE" {
			t.Errorf("user %s is not in the CAREWEAVE account", u.Nkey)
		}
		if !reflect.DeepEqual(u.Permissions, byKey[u.Nkey]) {
			t.Errorf("user %s: the file gives %+v %+v, Apply %+v %+v", u.Nkey, u.Permissions.Publish, u.Permissions.Subscribe,
				byKey[u.Nkey].Publish, byKey[u.Nkey].Subscribe)
		}
	}
	if opts.TLSConfig == nil || opts.MaxPayload != 1<<20 {
		t.Fatalf("tls %v, max payload %d", opts.TLSConfig != nil, opts.MaxPayload)
	}

	opts.Port = server.RANDOM_PORT
	opts.NoLog, opts.NoSigs = true, true
	ns := testkit.StartNATS(t, opts)
	d := &deployment{url: ns.ClientURL(), seeds: seeds, certs: certs}
	admin := d.connect(t, natsauth.AdminName)
	if err := natskit.Provision(t.Context(), admin.js, natskit.TopologyConfig{}); err != nil {
		t.Fatalf("JetStream in the account: %v", err)
	}
	svc := d.connect(t, "discharge")
	if _, err := svc.publishEvent(t.Context(), "care.discharge.U84001.p01.patient_discharged.v1", "e1"); err != nil {
		t.Fatal(err)
	}
	team := d.connect(t, ourTeam)
	team.subscribeRefused(t, notify.Filter(otherTeam))
	team.publishRefused(t, noticeSubject(ourTeam, 1))
}

func TestRenderRefusesAnOpenServer(t *testing.T) {
	err := natsauth.Render(&bytes.Buffer{}, natsauth.ServerConfig{ServerName: "n", Listen: "0.0.0.0:4222", StoreDir: "/x"})
	if err == nil || !strings.Contains(err.Error(), "no users") {
		t.Fatalf("Render without users: %v", err)
	}
}

func TestSeedFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seeds")
	if _, err := natsauth.EnsureSeeds(dir, []natsauth.Principal{natsauth.Admin()}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, natsauth.SeedFile(dir, "admin"): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
}
