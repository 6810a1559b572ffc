package httpkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// DefaultMaxBody bounds a JSON request body.
const DefaultMaxBody = 64 << 10

// DecodeJSON strictly decodes the request body into dst: the content type
// must be JSON, the body at most maxBytes (else KindTooLarge), unknown
// fields are refused, and exactly one JSON value is allowed. Failures are
// *Error values naming the field where one can be named.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &Error{Kind: KindUnsupportedMediaType, Message: "the body must be application/json",
				Fields: []FieldError{{Field: "Content-Type", Reason: "must be application/json"}}}
		}
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBody
	}
	body := http.MaxBytesReader(w, r.Body, maxBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, maxBytes)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err, maxBytes)
		}
		return Invalid("body", "must hold a single JSON value")
	}
	return nil
}

func decodeError(err error, maxBytes int64) error {
	var (
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		return &Error{Kind: KindTooLarge, Message: fmt.Sprintf("the body exceeds %d bytes", maxBytes)}
	case errors.Is(err, io.EOF):
		return Invalid("body", "is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid("body", "ends before the JSON value is complete")
	case errors.As(err, &syntax):
		return Invalid("body", fmt.Sprintf("is not valid JSON (at byte %d)", syntax.Offset))
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return Invalid(field, "must be a JSON "+jsonKind(typeErr.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Invalid(name, "is not a known field")
	default:
		var fe *Error
		if errors.As(err, &fe) { // from a field type's UnmarshalJSON
			return fe
		}
		return Invalid("body", "could not be decoded")
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	default:
		return "number"
	}
}
