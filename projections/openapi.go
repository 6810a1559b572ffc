package projections

import _ "embed"

// ProjectorOpenAPI documents the projection worker's (operational) HTTP
// surface.
//
//go:embed projector.openapi.json
var ProjectorOpenAPI []byte

// QueryOpenAPI documents the query API.
//
//go:embed query.openapi.json
var QueryOpenAPI []byte
