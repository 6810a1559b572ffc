package notify

import _ "embed"

// OpenAPI is the service's HTTP API: a clinician's current assignments and
// their live feed, and the operational endpoints every service serves.
//
//go:embed openapi.json
var OpenAPI []byte
