package events

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ID is a UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits.
// Event ids sort roughly by creation time, which keeps index inserts local.
type ID [16]byte

// NewID returns a new UUIDv7 for the given time.
func NewID(now time.Time) ID {
	var id ID
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint64(id[0:8], ms<<16)
	// crypto/rand.Read never returns an error (Go 1.24+).
	_, _ = rand.Read(id[6:])
	id[6] = (id[6] & 0x0f) | 0x70 // version 7
	id[8] = (id[8] & 0x3f) | 0x80 // RFC 9562 variant
	return id
}

// ErrInvalidID is returned by ParseID for anything but a canonical UUID.
var ErrInvalidID = errors.New("invalid id: want a UUID like 0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10")

// ParseID parses the canonical 36-character UUID form.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, ErrInvalidID
	}
	var buf [32]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		buf[n] = s[i]
		n++
	}
	if _, err := hex.Decode(id[:], buf[:]); err != nil {
		return ID{}, ErrInvalidID
	}
	return id, nil
}

// String returns the canonical lower-case form.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// IsZero reports whether id is the nil UUID.
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *ID) UnmarshalText(b []byte) error {
	parsed, err := ParseID(string(b))
	if err != nil {
		return fmt.Errorf("%w: %q", err, truncate(string(b), 40))
	}
	*id = parsed
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
