package rebuild

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/projections/internal/timeline"
	"github.com/careweave/careweave/projections/synthetic"
)

// BenchmarkPrepare is the rebuild's CPU per event outside PostgreSQL:
// decoding the envelope and its data, and projecting it.
func BenchmarkPrepare(b *testing.B) {
	var payloads [][]byte
	for i := range 100 {
		for _, en := range synthetic.History(i, time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)) {
			p, err := en.Encode()
			if err != nil {
				b.Fatal(err)
			}
			payloads = append(payloads, p)
		}
	}
	projector, err := timeline.New()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	r := &run{registry: timeline.Registry(), projector: projector}
	for i := 0; b.Loop(); i++ {
		if i%len(payloads) == 0 {
			r.seen = map[events.ID]struct{}{}
		}
		if _, ok := r.prepare(payloads[i%len(payloads)], uint64(i)); !ok {
			b.Fatal("not prepared")
		}
	}
}
