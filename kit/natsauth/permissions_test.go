package natsauth_test

import (
	"strings"
	"testing"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natsauth"
)

// matches reports whether subject matches the NATS pattern (tokens split on
// '.', '*' one token, '>' one or more at the end).
func matches(pattern, subject string) bool {
	pt, st := strings.Split(pattern, "."), strings.Split(subject, ".")
	for i, p := range pt {
		if p == ">" {
			return len(st) > i
		}
		if i >= len(st) || (p != "*" && p != st[i]) {
			return false
		}
	}
	return len(pt) == len(st)
}

func allowed(sp natsauth.SubjectPermission, subject string) bool {
	for _, d := range sp.Deny {
		if matches(d, subject) {
			return false
		}
	}
	for _, a := range sp.Allow {
		if matches(a, subject) {
			return true
		}
	}
	return false
}

// TestPermissionsAreLeast holds each principal to its own subjects, subject
// by subject. The server-side tests (auth_test.go) show nats-server
// enforces them.
func TestPermissionsAreLeast(t *testing.T) {
	everyone := natsauth.Principals(directory.Demo())
	type check struct {
		pub     bool // publish, else subscribe
		subject string
		want    bool
	}
	pub := func(s string, want bool) check { return check{true, s, want} }
	sub := func(s string, want bool) check { return check{false, s, want} }
	cases := map[natsauth.Principal][]check{
		natsauth.Team("team-severn-ict"): {
			sub("care.notify.team-severn-ict.>", false), // its durable consumer only
			sub("care.notify.team-severn-ict.p03.discharge_notice.v1", false),
			sub("_INBOX.team-severn-ict.abc.1", true),
			sub("care.notify.team-forest-ict.>", false),
			sub("care.notify.>", false),
			sub("care.discharge.>", false),
			sub("_INBOX.>", false),
			sub("_INBOX.team-forest-ict.abc", false),
			sub(">", false),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.sub-team-severn-ict", true),
			pub("$JS.API.CONSUMER.INFO.CARE.sub-team-severn-ict", true),
			pub("$JS.ACK.CARE.sub-team-severn-ict.1.2.2.1700000000.0", true),
			pub("$JS.ACK._.hash.CARE.sub-team-severn-ict.1.2.2.1700000000.0", true),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.sub-team-forest-ict", false),
			pub("$JS.API.CONSUMER.INFO.CARE.sub-team-forest-ict", false),
			pub("$JS.ACK.CARE.sub-team-forest-ict.1.2.2.1700000000.0", false),
			pub("$JS.API.CONSUMER.CREATE.CARE.sub-team-severn-ict", false),
			pub("$JS.API.CONSUMER.DELETE.CARE.sub-team-severn-ict", false),
			pub("$JS.API.STREAM.INFO.CARE", false),
			pub("$JS.API.STREAM.UPDATE.CARE", false),
			pub("care.notify.team-severn-ict.p03.discharge_notice.v1", false),
			pub("care.discharge.U84001.p03.patient_discharged.v1", false),
			pub("poison.timeline-p03", false),
		},
		natsauth.Gateway("para-jess-patel"): {
			sub("care.notify.para-jess-patel.>", false),
			sub("_INBOX.para-jess-patel.x", true),
			sub("care.notify.para-owen-jones.>", false),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.sub-para-jess-patel", true),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.sub-team-severn-ict", false),
			pub("care.notify.para-jess-patel.p01.assignment_notice.v1", false),
		},
		natsauth.Service("discharge"): {
			pub("care.discharge.U84001.p03.patient_discharged.v1", true),
			pub("care.access.discharge.p03.access_recorded.v1", true), // its own audit trail
			pub("care.access.homevisits.p03.access_recorded.v1", false),
			pub("care.access.query.p03.break_glass_granted.v1", false),
			pub("$JS.API.STREAM.INFO.CARE", true),
			pub("$JS.API.STREAM.INFO.CARE_POISON", true),
			pub("care.homevisits.U84001.p03.visit_requested.v1", false),
			pub("care.notify.team-severn-ict.p03.discharge_notice.v1", false),
			pub("$JS.API.STREAM.UPDATE.CARE", false),
			pub("$JS.API.STREAM.CREATE.CARE", false),
			pub("$JS.API.CONSUMER.CREATE.CARE.timeline-p03", false),
			pub("poison.timeline-p03", false),
			sub("care.>", false),
			sub("_INBOX.discharge.x", true),
			sub("_INBOX.homevisits.x", false),
		},
		natsauth.Service("notify"): {
			pub("care.notify.team-severn-ict.p03.discharge_notice.v1", true),
			pub("$JS.API.CONSUMER.CREATE.CARE.notify-p15", false), // the administrator makes it
			pub("$JS.API.CONSUMER.INFO.CARE.notify-p15", true),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.notify-p00", true),
			pub("$JS.ACK.CARE.notify-p07.1.2.2.1.0", true),
			pub("poison.notify-p07", true),
			pub("care.discharge.U84001.p03.patient_discharged.v1", false),
			pub("$JS.API.CONSUMER.CREATE.CARE.timeline-p03", false),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.sub-team-severn-ict", false),
			pub("poison.timeline-p07", false),
			sub("care.notify.>", false),
		},
		natsauth.Projector(): {
			pub("$JS.API.CONSUMER.CREATE.CARE.timeline-p03", false), // the administrator makes it
			pub("$JS.API.CONSUMER.CREATE.CARE.timeline-p03.care.discharge.>", false),
			pub("$JS.API.CONSUMER.DELETE.CARE.timeline-p03", false),
			pub("$JS.API.CONSUMER.INFO.CARE.timeline-p03", true),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.timeline-p03", true),
			pub("$JS.ACK.CARE.timeline-p03.1.9.9.1.0", true),
			pub("poison.timeline-p03", true),
			pub("$JS.API.STREAM.INFO.CARE", true),
			pub("$JS.API.CONSUMER.CREATE.CARE.timeline-p16", false),
			pub("$JS.API.CONSUMER.CREATE.CARE.notify-p03", false),
			pub("$JS.API.CONSUMER.CREATE.CARE.timeline-p03.care.>", false),
			pub("care.discharge.U84001.p03.patient_discharged.v1", false),
			pub("$JS.API.STREAM.UPDATE.CARE", false),
			sub("care.>", false),
		},
		natsauth.Query(): {
			pub("$JS.API.STREAM.INFO.CARE", true),
			pub("care.access.query.p03.access_recorded.v1", true),
			pub("care.access.discharge.p03.access_recorded.v1", false),
			pub("$JS.API.CONSUMER.CREATE.CARE.timeline-p03", false),
			pub("care.discharge.U84001.p03.patient_discharged.v1", false),
			sub("care.>", false),
		},
		natsauth.Admin(): {
			pub("$JS.API.STREAM.CREATE.CARE", true),
			pub("$JS.API.STREAM.UPDATE.CARE", true),
			pub("$JS.API.CONSUMER.CREATE.CARE.sub-team-severn-ict", true),
			pub("$JS.API.CONSUMER.CREATE.CARE.timeline-p03", true),
			pub("$JS.API.CONSUMER.CREATE.CARE.notify-p03", true),
			pub("$JS.API.CONSUMER.LIST.CARE", true),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.rebuild-ordered-1", true),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.sub-team-severn-ict", false),
			pub("$JS.API.CONSUMER.MSG.NEXT.CARE.sub-para-jess-patel", false),
			pub("$JS.ACK.CARE.sub-team-severn-ict.1.2.2.1.0", false),
			pub("care.discharge.U84001.p03.patient_discharged.v1", false),
			pub("poison.timeline-p03", false),
			sub("care.>", false),
			sub("_INBOX.admin.x", true),
		},
	}
	for p, checks := range cases {
		perms := natsauth.PermissionsFor(p, everyone)
		for _, c := range checks {
			sp, verb := perms.Subscribe, "subscribe to"
			if c.pub {
				sp, verb = perms.Publish, "publish to"
			}
			if got := allowed(sp, c.subject); got != c.want {
				t.Errorf("%s may %s %s: %v, want %v", p, verb, c.subject, got, c.want)
			}
		}
	}
}

func TestPrincipalsCoverTheDirectoryAndCollideNever(t *testing.T) {
	dir := directory.Demo()
	ps := natsauth.Principals(dir)
	if err := natsauth.Validate(ps); err != nil {
		t.Fatal(err)
	}
	want := 1 + len(natsauth.Services) + 2 + len(dir.CommunityTeams) + len(dir.Clinicians)
	if len(ps) != want {
		t.Fatalf("%d principals, want %d", len(ps), want)
	}
	for _, bad := range [][]natsauth.Principal{
		{natsauth.Team("team-x"), natsauth.Gateway("team-x")}, // would share care.notify.team-x.>
		{natsauth.Service("discharge"), natsauth.Team("discharge")},
		{natsauth.Team("Team.X")},
		{natsauth.Team("")},
		{{Kind: natsauth.KindAdmin, ID: "root"}},
		{{Kind: "robot", ID: "r2"}},
	} {
		if err := natsauth.Validate(bad); err == nil {
			t.Errorf("Validate(%v) accepted", bad)
		}
	}
}

func TestNewUsersNeedsAValidDistinctKeyEach(t *testing.T) {
	ps := []natsauth.Principal{natsauth.Admin(), natsauth.Team("team-x")}
	keys, err := natsauth.EnsureSeeds(t.TempDir(), ps)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := natsauth.NewUsers(ps, keys); err != nil {
		t.Fatal(err)
	}
	for name, ks := range map[string]map[string]string{
		"missing":   {"admin": keys["admin"]},
		"not a key": {"admin": keys["admin"], "team-x": "nope"},
		"shared":    {"admin": keys["admin"], "team-x": keys["admin"]},
	} {
		if _, err := natsauth.NewUsers(ps, ks); err == nil {
			t.Errorf("%s key accepted", name)
		}
	}
}

func TestEnsureSeedsKeepsExistingSeeds(t *testing.T) {
	dir := t.TempDir()
	ps := []natsauth.Principal{natsauth.Admin()}
	first, err := natsauth.EnsureSeeds(dir, ps)
	if err != nil {
		t.Fatal(err)
	}
	ps = append(ps, natsauth.Team("team-x"))
	second, err := natsauth.EnsureSeeds(dir, ps)
	if err != nil {
		t.Fatal(err)
	}
	if first["admin"] != second["admin"] || second["team-x"] == "" {
		t.Fatalf("keys changed or missing: %v then %v", first, second)
	}
}
