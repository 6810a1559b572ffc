package patients

import _ "embed"

// OpenAPI is the registry's OpenAPI 3.1 document, served at /openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte
