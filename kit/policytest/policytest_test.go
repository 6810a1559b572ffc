package policytest_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/policytest"
)

// A policy small enough to see whole: the owner of a document may read and
// write it, a reader may read any, nobody else may do anything.
type (
	action string
	basis  string
	doc    struct{ owner string }
)

// Valid makes basis like access.Basis: only relationships are valid.
func (b basis) Valid() bool { return strings.HasPrefix(string(b), "relationship:") }

const (
	read   action = "read"
	write  action = "write"
	own    basis  = "relationship:own"
	reader basis  = "relationship:reader"
)

var (
	actions    = []action{read, write}
	principals = map[string]auth.Principal{
		"Alice":  {Subject: "alice", Role: "writer"},
		"Rita":   {Subject: "rita", Role: "reader"},
		"nobody": {},
	}
	docs = map[string]doc{"Alice's": {owner: "alice"}, "an orphan": {}}
)

func decide(p auth.Principal, a action, d doc) policytest.Decision[basis] {
	allow := func(b basis) policytest.Decision[basis] { return policytest.Decision[basis]{Allowed: true, Basis: b} }
	deny := func(reason string) policytest.Decision[basis] {
		return policytest.Decision[basis]{Reason: reason, Err: errors.New(reason)}
	}
	switch {
	case p.Subject == "":
		return deny("not identified")
	case a != read && a != write:
		return deny("unknown action")
	case d.owner == p.Subject:
		return allow(own)
	case a == read && p.Role == "reader":
		return allow(reader)
	}
	return deny("not yours")
}

var table = []policytest.Row[action, basis]{
	{Actions: []action{read}, Resource: "Alice's", Allowed: map[string]basis{"Alice": own, "Rita": reader}},
	{Actions: []action{write}, Resource: "Alice's", Allowed: map[string]basis{"Alice": own}},
	{Actions: []action{read}, Resource: "an orphan", Allowed: map[string]basis{"Rita": reader}},
	{Actions: []action{write, "delete"}, Resource: "an orphan"},
}

// recorder is the TB Check is given: it keeps what Check reported, and its
// Fatalf ends the goroutine as testing.T's does.
type recorder struct {
	errors []string
	fatal  string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// check runs Check on its own goroutine, so that a Fatalf can end it.
func check(actions []action, table []policytest.Row[action, basis], decide func(auth.Principal, action, doc) policytest.Decision[basis]) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		policytest.Check(r, actions, principals, docs, table, decide)
	}()
	<-done
	return r
}

func TestCheckPassesATrueTable(t *testing.T) {
	if r := check(actions, table, decide); len(r.errors) > 0 || r.fatal != "" {
		t.Errorf("Check reported %q (fatal %q) on a table that is true", r.errors, r.fatal)
	}
}

// Each case breaks the table or the policy once; Check must say so.
func TestCheckFails(t *testing.T) {
	with := func(i int, row policytest.Row[action, basis]) []policytest.Row[action, basis] {
		out := append([]policytest.Row[action, basis](nil), table...)
		out[i] = row
		return out
	}
	breaking := func(wrong func(auth.Principal, action, doc) (policytest.Decision[basis], bool)) func(auth.Principal, action, doc) policytest.Decision[basis] {
		return func(p auth.Principal, a action, d doc) policytest.Decision[basis] {
			if got, ok := wrong(p, a, d); ok {
				return got
			}
			return decide(p, a, d)
		}
	}
	ritaWrites := func(p auth.Principal, a action, d doc) bool { return p.Subject == "rita" && a == write }
	for _, c := range []struct {
		name   string
		table  []policytest.Row[action, basis]
		decide func(auth.Principal, action, doc) policytest.Decision[basis]
		want   string // in what Check reports
		fatal  bool
		// noActions checks the table against no actions at all.
		noActions bool
	}{
		{name: "no actions", noActions: true, table: table, decide: decide, want: "no actions", fatal: true},
		{name: "an action left out", table: table[1:], decide: decide, want: "the table says 0 times who may read on Alice's"},
		{name: "an action said twice", table: append(table, table[0]), decide: decide, want: "the table says 2 times who may read on Alice's"},
		{name: "an unknown caller", table: with(0, policytest.Row[action, basis]{Actions: []action{read}, Resource: "Alice's", Allowed: map[string]basis{"Bob": own}}),
			decide: decide, want: `unknown caller "Bob"`, fatal: true},
		{name: "an unknown resource", table: with(3, policytest.Row[action, basis]{Actions: []action{write}, Resource: "Bob's"}),
			decide: decide, want: `unknown resource "Bob's"`, fatal: true},
		{name: "a caller allowed too many", table: table, decide: breaking(func(p auth.Principal, a action, d doc) (policytest.Decision[basis], bool) {
			return policytest.Decision[basis]{Allowed: true, Basis: reader}, ritaWrites(p, a, d)
		}), want: "Rita: write on Alice's = {Allowed:true Basis:relationship:reader Reason: Err:<nil>}, want denied with a reason"},
		{name: "a caller allowed too few", table: with(0, policytest.Row[action, basis]{Actions: []action{read}, Resource: "Alice's", Allowed: map[string]basis{"Alice": own, "Rita": reader, "nobody": reader}}),
			decide: decide, want: "nobody: read on Alice's = {Allowed:false Basis: Reason:not identified Err:not identified}, want allowed on relationship:reader"},
		{name: "the wrong basis", table: with(0, policytest.Row[action, basis]{Actions: []action{read}, Resource: "Alice's", Allowed: map[string]basis{"Alice": reader, "Rita": reader}}),
			decide: decide, want: "Alice: read on Alice's = {Allowed:true Basis:relationship:own Reason: Err:<nil>}, want allowed on relationship:reader"},
		{name: "an allowance with a reason", table: table, decide: breaking(func(p auth.Principal, a action, d doc) (policytest.Decision[basis], bool) {
			return policytest.Decision[basis]{Allowed: true, Basis: own, Reason: "because"}, d.owner == p.Subject
		}), want: "want allowed on relationship:own"},
		{name: "a denial without a reason", table: table, decide: breaking(func(p auth.Principal, a action, d doc) (policytest.Decision[basis], bool) {
			return policytest.Decision[basis]{Err: errors.New("no")}, ritaWrites(p, a, d)
		}), want: "Rita: write on Alice's"},
		{name: "a denial with a basis", table: table, decide: breaking(func(p auth.Principal, a action, d doc) (policytest.Decision[basis], bool) {
			return policytest.Decision[basis]{Basis: "none", Reason: "no", Err: errors.New("no")}, ritaWrites(p, a, d)
		}), want: "want denied with a reason"},
		{name: "a denial with no error", table: table, decide: breaking(func(p auth.Principal, a action, d doc) (policytest.Decision[basis], bool) {
			return policytest.Decision[basis]{Reason: "no"}, ritaWrites(p, a, d)
		}), want: "Rita: write on Alice's: Err = <nil>"},
		{name: "an allowance with an error", table: table, decide: breaking(func(p auth.Principal, a action, d doc) (policytest.Decision[basis], bool) {
			return policytest.Decision[basis]{Allowed: true, Basis: own, Err: errors.New("but no")}, d.owner == p.Subject
		}), want: "Alice: read on Alice's: Err = but no"},
		{name: "an invalid basis", table: with(0, policytest.Row[action, basis]{Actions: []action{read}, Resource: "Alice's", Allowed: map[string]basis{"Alice": "own", "Rita": reader}}),
			decide: breaking(func(p auth.Principal, a action, d doc) (policytest.Decision[basis], bool) {
				return policytest.Decision[basis]{Allowed: true, Basis: "own"}, d.owner == p.Subject && a == read
			}), want: `Alice: read on Alice's: basis "own" is not valid`},
	} {
		t.Run(c.name, func(t *testing.T) {
			acts := actions
			if c.noActions {
				acts = nil
			}
			r := check(acts, c.table, c.decide)
			got := strings.Join(append(r.errors, r.fatal), "\n")
			if (r.fatal != "") != c.fatal || !strings.Contains(got, c.want) {
				t.Errorf("Check reported %q (fatal %q), want %q (fatal %v)", r.errors, r.fatal, c.want, c.fatal)
			}
		})
	}
}
