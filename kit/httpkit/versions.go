package httpkit

import (
	"net/http"
	"strconv"
	"strings"
)

// ETag returns the strong entity tag of an aggregate version.
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// IfMatch returns the aggregate version a change request says it read, from
// If-Match. Changes require it: without it a client could overwrite what it
// never saw (428 Precondition Required).
func IfMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, &Error{Kind: KindPreconditionRequired, Message: "send If-Match with the ETag of the version you read",
			Fields: []FieldError{{Field: "If-Match", Reason: "is required for changes"}}}
	}
	h = strings.TrimPrefix(h, "W/")
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v < 1 || !strings.HasPrefix(h, `"`) || !strings.HasSuffix(h, `"`) {
		return 0, Invalid("If-Match", `must be an ETag this API returned, such as "3"`)
	}
	return v, nil
}
