package discharge

import _ "embed"

// OpenAPI is the discharge service's OpenAPI 3.1 document, served at
// /openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte
