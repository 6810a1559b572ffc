package events

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Namespace prefixes every Careweave event type name.
const Namespace = "careweave"

// TypeName is a parsed wire type name: careweave.<service>.<event>.v<version>,
// e.g. careweave.discharge.patient_discharged.v1. Names are chosen by hand,
// past tense, and never derived from Go type names, so refactoring Go code
// cannot change what is on the wire.
type TypeName struct {
	Service string
	Event   string
	Version int
}

// String returns the wire form.
func (t TypeName) String() string {
	return fmt.Sprintf("%s.%s.%s.v%d", Namespace, t.Service, t.Event, t.Version)
}

var errTypeName = errors.New(`must look like "careweave.<service>.<event_name>.v<N>" in lower case`)

// ParseTypeName parses and checks a wire type name.
func ParseTypeName(s string) (TypeName, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != Namespace || !isLowerWord(parts[1], 32) || !isLowerWord(parts[2], 64) {
		return TypeName{}, errTypeName
	}
	v, ok := strings.CutPrefix(parts[3], "v")
	if !ok || v == "" || v[0] == '0' || len(v) > 4 {
		return TypeName{}, errTypeName
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return TypeName{}, errTypeName
	}
	return TypeName{Service: parts[1], Event: parts[2], Version: n}, nil
}

// SourceFor returns the CloudEvents source attribute of a service's events.
func SourceFor(service string) string { return "/careweave/" + service }

// isLowerWord reports whether s is a lower-case identifier ([a-z][a-z0-9_]*).
func isLowerWord(s string, max int) bool {
	if len(s) == 0 || len(s) > max || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
