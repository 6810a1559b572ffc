package api

import (
	"testing"
	"time"
	_ "time/tzdata"
)

// Staff see times in Europe/London with the offset in force on that day,
// across both clock changes.
func TestLocalTimesFollowBST(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	a := &API{london: london}
	for _, c := range []struct {
		utc  time.Time
		want string
	}{
		{time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC), "2026-03-29T00:59:00+00:00"},
		{time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), "2026-03-29T02:00:00+01:00"},
		{time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC), "2026-07-01T10:30:00+01:00"},
		{time.Date(2026, 10, 25, 0, 59, 0, 0, time.UTC), "2026-10-25T01:59:00+01:00"},
		{time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), "2026-10-25T01:00:00+00:00"},
	} {
		if got := a.local(c.utc); got != c.want {
			t.Errorf("local(%s) = %s, want %s", c.utc, got, c.want)
		}
	}
}
