package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

var (
	givenNames  = []string{"Margaret", "Harold", "Doris", "Albert", "Joan", "Stanley", "Irene", "Leonard", "Winifred", "Cyril", "Beryl", "Norman"}
	familyNames = []string{"Ashdown", "Bellamy", "Carrow", "Dunmore", "Ellery", "Fairweather", "Gosling", "Hatherley", "Ingram", "Jessop"}
)

// setup registers the synthetic patients in the registry (or finds them
// registered by an earlier run) and admits the care-home residents, with
// progress; none of it is measured. It returns each patient's reference.
func setup(ctx context.Context, c *client, cfg Config, residents map[int][]int, progress io.Writer) ([]string, error) {
	numbers := syntheticNumbers(cfg.Patients)
	if len(numbers) < cfg.Patients {
		return nil, fmt.Errorf("the 999 range from 999 200 0000 holds only %d valid numbers", len(numbers))
	}
	refs := make([]string, cfg.Patients)
	var done atomic.Int64
	stop := startProgress(progress, "setup: registered", &done, cfg.Patients)
	err := parallel(ctx, cfg.SetupWorkers, cfg.Patients, func(ctx context.Context, i int) error {
		ref, err := register(ctx, c, i, numbers[i])
		refs[i] = ref
		done.Add(1)
		return err
	})
	stop()
	if err != nil {
		return nil, err
	}
	var all [][2]int
	for h, rs := range residents {
		for _, p := range rs {
			all = append(all, [2]int{h, p})
		}
	}
	done.Store(0)
	stop = startProgress(progress, "setup: care-home residents admitted", &done, len(all))
	err = parallel(ctx, cfg.SetupWorkers, len(all), func(ctx context.Context, i int) error {
		h, p := all[i][0], all[i][1]
		r, err := c.do(ctx, "carehomes", http.MethodPost, "/v1/residencies", coordinator, fmt.Sprintf("loadgen-residency-%s-%d", homes[h].ID, p), 0,
			map[string]any{"patient": refs[p], "careHomeId": homes[h].ID})
		done.Add(1)
		switch {
		case err != nil:
			return fmt.Errorf("admit a care-home resident: %w", err)
		case r.Status/100 == 2, r.Status == http.StatusConflict: // admitted now, or by an earlier run
			return nil
		}
		return fmt.Errorf("admit a care-home resident: HTTP %d: %s", r.Status, truncate(string(r.Raw), 300))
	})
	stop()
	return refs, err
}

// register registers patient i, or resolves the number when an earlier run
// registered it under another key.
func register(ctx context.Context, c *client, i int, number string) (string, error) {
	body := map[string]any{"nhsNumber": number, "traceStatus": "01", "givenName": givenNames[i%len(givenNames)],
		"familyName": familyNames[(i/len(givenNames))%len(familyNames)], "birthDate": fmt.Sprintf("19%02d-%02d-%02d", 25+i%45, 1+i%12, 1+i%28),
		"practice": practices[i%len(practices)]}
	// A retry is safe: the Idempotency-Key answers it with the first
	// registration's answer, or registers if the first stored nothing.
	var r response
	var err error
	for attempt := 1; ; attempt++ {
		r, err = c.do(ctx, "patients", http.MethodPost, "/v1/patients", coordinator, fmt.Sprintf("loadgen-patient-%d", i), 0, body)
		if (err == nil && r.Status < 500) || attempt == 3 || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("register a patient: %w", err)
	}
	if r.Status == http.StatusConflict || r.Status == http.StatusUnprocessableEntity {
		r, err = c.do(ctx, "patients", http.MethodPost, "/v1/patients/resolve", coordinator, "", 0, map[string]string{"nhsNumber": number})
		if err != nil {
			return "", fmt.Errorf("resolve a patient: %w", err)
		}
	}
	ref, _ := r.Body["patient"].(string)
	if r.Status/100 != 2 || ref == "" {
		// The problem body names fields, never the number.
		return "", fmt.Errorf("register patient %d: HTTP %d: %s", i, r.Status, truncate(string(r.Raw), 300))
	}
	return ref, nil
}

// parallel runs fn for 0..n-1 with at most workers at once, stopping at the
// first error.
func parallel(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range work {
				if err := fn(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}

// startProgress prints what is done of total once a second until stopped.
func startProgress(w io.Writer, what string, done *atomic.Int64, total int) (stop func()) {
	start := time.Now()
	quit := make(chan struct{})
	var wg sync.WaitGroup
	print := func() {
		n := done.Load()
		fmt.Fprintf(w, "loadgen %s %d/%d (%.0f/s)\n", what, n, total, float64(n)/max(time.Since(start).Seconds(), 0.001))
	}
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				print()
			}
		}
	})
	return func() { close(quit); wg.Wait(); print() }
}
