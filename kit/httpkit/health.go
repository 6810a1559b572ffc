package httpkit

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Check is one readiness condition: nil means ready.
type Check func(ctx context.Context) error

// Health serves /healthz (the process is alive and serving) and /readyz
// (every dependency answers: the component can do its work).
type Health struct {
	checks  map[string]Check
	timeout time.Duration
}

// NewHealth returns the health endpoints over checks, each given timeout.
func NewHealth(checks map[string]Check, timeout time.Duration) *Health {
	return &Health{checks: checks, timeout: timeout}
}

// Register adds /healthz and /readyz to mux.
func (h *Health) Register(mux *Router) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", h.ready)
}

type checkResult struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (h *Health) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	results := make([]checkResult, 0, len(h.checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range h.checks {
		wg.Go(func() {
			res := checkResult{Name: name, Status: "ok"}
			if err := check(ctx); err != nil {
				res.Status, res.Error = "failing", err.Error()
			}
			mu.Lock()
			results = append(results, res)
			mu.Unlock()
		})
	}
	wg.Wait()
	sort.Slice(results, func(i, j int) bool { return results[i].Name < results[j].Name })
	code, status := http.StatusOK, "ready"
	for _, res := range results {
		if res.Status != "ok" {
			code, status = http.StatusServiceUnavailable, "not ready"
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, code, map[string]any{"status": status, "checks": results})
}
