package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// everySecond writes "[label] " and status(elapsed) to w once a second until
// the returned stop is called; stop waits for the last line.
func everySecond(ctx context.Context, w io.Writer, label string, status func(elapsed time.Duration) string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				fmt.Fprintf(w, "[%s] %s\n", label, status(now.Sub(start)))
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// rateMeter turns a growing counter into the rate over the last interval.
type rateMeter struct {
	last     int64
	lastTime time.Duration
}

func (m *rateMeter) rate(count int64, elapsed time.Duration) float64 {
	d := elapsed - m.lastTime
	r := 0.0
	if d > 0 {
		r = float64(count-m.last) / d.Seconds()
	}
	m.last, m.lastTime = count, elapsed
	return r
}
