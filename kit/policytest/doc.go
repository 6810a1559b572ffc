// Package policytest checks a service's access policy against a table that
// says, for every action on every resource, which callers are allowed and on
// what basis. Every service's policy package is tested this way; the
// scaffolding that walks the table (each action on each resource stated
// exactly once, every caller tried, denials carrying a reason and no basis,
// Err agreeing with Allowed) lives here once instead of in each service.
//
// It is a normal package so that tests in other modules can import it; only
// tests should.
package policytest
