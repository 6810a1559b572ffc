package carehomes

import _ "embed"

// OpenAPI is the service's OpenAPI 3.1 document, served at /openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte
