package openapitest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/careweave/careweave/kit/openapitest"
)

const doc = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/v1/things/{id}": {
      "get": {
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
          "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}, "additionalProperties": false}}}}}
      }
    }
  }
}`

func TestValidatorCatchesDrift(t *testing.T) {
	v := openapitest.Load(t, []byte(doc))
	if ops := openapitest.Operations(t, []byte(doc)); len(ops) != 1 || ops[0] != "GET /v1/things/{id}" {
		t.Fatalf("operations = %v", ops)
	}
	openapitest.MatchRoutes(t, []byte(doc), []string{"GET /v1/things/{id}"})

	req := httptest.NewRequest("GET", "/v1/things/1", nil)
	good := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{"id":"1"}`)), Request: req}
	v.Response(t, req, good)

	inner := &testing.T{}
	bad := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{"id":1,"x":2}`)), Request: req}
	ran := make(chan struct{})
	go func() { defer close(ran); v.Response(inner, req, bad) }()
	<-ran
	if !inner.Failed() {
		t.Fatal("a response that breaks the schema passed")
	}
}
