// Package openapitest holds a service's OpenAPI 3.1 document to the truth:
// the document must validate against the OpenAPI schema, list exactly the
// routes the server handles, and describe every response a component test
// receives. It uses pb33f's libopenapi validator, a real implementation of
// the specification, not our own reading of it.
package openapitest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// Validator checks requests and responses against one document.
type Validator struct {
	v validator.Validator
}

// Load parses doc, checks it is a valid OpenAPI 3.1 document, and returns a
// validator for traffic.
func Load(t testing.TB, doc []byte) *Validator {
	t.Helper()
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		t.Fatalf("parse OpenAPI document: %v", err)
	}
	if v := d.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Fatalf("OpenAPI version %q, want 3.1", v)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatalf("build validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("OpenAPI document invalid: %s (%s)", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  at %s: %s", se.FieldPath, se.Reason)
			}
		}
		t.FailNow()
	}
	return &Validator{v: v}
}

// Operations lists the document's operations as "METHOD /path" patterns,
// the form http.ServeMux routes take.
func Operations(t testing.TB, doc []byte) []string {
	t.Helper()
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		t.Fatalf("parse OpenAPI document: %v", err)
	}
	m, err := d.BuildV3Model()
	if err != nil {
		t.Fatalf("build OpenAPI model: %v", err)
	}
	var ops []string
	for path, item := range m.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			ops = append(ops, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(ops)
	return ops
}

// MatchRoutes fails unless the document's operations and the server's
// routes are the same set.
func MatchRoutes(t testing.TB, doc []byte, routes []string) {
	t.Helper()
	ops := Operations(t, doc)
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("the server handles %q but the OpenAPI document does not describe it", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("the OpenAPI document describes %q but the server does not handle it", op)
		}
	}
}

// Response fails unless resp (to req) is what the document promises.
func (v *Validator) Response(t testing.TB, req *http.Request, resp *http.Response) {
	t.Helper()
	if ok, errs := v.v.ValidateHttpResponse(req, resp); !ok {
		var b strings.Builder
		for _, e := range errs {
			fmt.Fprintf(&b, "\n  %s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				fmt.Fprintf(&b, "\n    at %s: %s", se.FieldPath, se.Reason)
			}
		}
		t.Errorf("%s %s → %d does not match the OpenAPI document:%s", req.Method, req.URL.Path, resp.StatusCode, b.String())
	}
}

// Request fails unless req is valid by the document.
func (v *Validator) Request(t testing.TB, req *http.Request) {
	t.Helper()
	if ok, errs := v.v.ValidateHttpRequest(req); !ok {
		for _, e := range errs {
			t.Errorf("%s %s does not match the OpenAPI document: %s: %s", req.Method, req.URL.Path, e.Message, e.Reason)
		}
	}
}
