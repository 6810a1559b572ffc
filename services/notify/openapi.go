package notify

import _ "embed"

// OpenAPI is the service's HTTP API: for now only the operational
// endpoints every service serves.
//
//go:embed openapi.json
var OpenAPI []byte
