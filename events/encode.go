package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// appendJSON appends the envelope's JSON to buf: byte for byte what
// json.Marshal produces (a test holds it to that), without reflection. The
// write path encodes every event once, and reflection was a measurable part
// of an append's cost (docs/benchmarks.md). The envelope must be valid:
// every string attribute is then printable ASCII.
func (e *Envelope) appendJSON(buf []byte) ([]byte, error) {
	str := func(key, v string, omitEmpty bool) {
		if omitEmpty && v == "" {
			return
		}
		buf = append(buf, ',', '"')
		buf = append(buf, key...)
		buf = append(buf, '"', ':')
		buf = appendString(buf, v)
	}
	buf = append(buf, `{"specversion":`...)
	buf = appendString(buf, e.SpecVersion)
	buf = append(buf, `,"id":"`...)
	buf = append(buf, e.ID.String()...)
	buf = append(buf, '"')
	str("source", e.Source, false)
	str("type", e.Type, false)
	str("subject", e.Subject, true)
	t, err := e.Time.MarshalJSON()
	if err != nil {
		return nil, err
	}
	buf = append(buf, `,"time":`...)
	buf = append(buf, t...)
	str("datacontenttype", e.DataContentType, false)
	buf = append(buf, `,"schemaversion":`...)
	buf = strconv.AppendInt(buf, int64(e.SchemaVersion), 10)
	str("correlationid", e.CorrelationID, false)
	str("causationid", e.CausationID, true)
	str("actorid", e.ActorID, false)
	str("actorrole", e.ActorRole, false)
	str("actororg", e.ActorOrg, true)
	str("area", e.Area, false)
	str("streamid", e.StreamID, false)
	buf = append(buf, `,"streamversion":`...)
	buf = strconv.AppendInt(buf, e.StreamVersion, 10)
	buf = append(buf, `,"data":`...)
	// json.Marshal compacts raw data and escapes HTML-significant runes;
	// Compact also rejects invalid JSON.
	start := len(buf)
	w := bytes.NewBuffer(buf)
	if err := json.Compact(w, e.Data); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	buf = w.Bytes()
	if bytes.ContainsAny(buf[start:], "<>&\u2028\u2029") {
		var esc bytes.Buffer
		json.HTMLEscape(&esc, buf[start:])
		buf = append(buf[:start], esc.Bytes()...)
	}
	return append(buf, '}'), nil
}

// appendString quotes s as encoding/json does for printable ASCII.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '<', '>', '&':
			buf = append(buf, `\u00`...)
			buf = append(buf, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		default:
			buf = append(buf, c)
		}
	}
	return append(buf, '"')
}
