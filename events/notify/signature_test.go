package notify_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/notify"
)

func TestSignatureVerifiesOnlyTheSignedBodyWithTheSecretInTime(t *testing.T) {
	secret, body, at := []byte("s3cret"), []byte(`{"id":"1"}`), time.Unix(1_800_000_000, 0)
	h := notify.Sign(secret, at, body)
	if err := notify.Verify(secret, h, body, at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other secret": notify.Verify([]byte("other"), h, body, at, 5*time.Minute),
		"other body":   notify.Verify(secret, h, []byte(`{"id":"2"}`), at, 5*time.Minute),
		"too late":     notify.Verify(secret, h, body, at.Add(6*time.Minute), 5*time.Minute),
		"no header":    notify.Verify(secret, "", body, at, 5*time.Minute),
		"garbage":      notify.Verify(secret, "t=x,v1=zz", body, at, 5*time.Minute),
	} {
		if err == nil {
			t.Errorf("%s verified", name)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("t=1800000000,v1=abc", []byte("{}"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		_ = notify.Verify([]byte("k"), header, body, time.Unix(1_800_000_000, 0), time.Minute) // must not panic
	})
}
