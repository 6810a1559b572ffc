package httpkit

import (
	"net/http"
	"slices"
)

// Router is an http.ServeMux that remembers its patterns, so a test can
// check that the OpenAPI document and the server agree route for route.
type Router struct {
	mux    *http.ServeMux
	routes []string
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{mux: http.NewServeMux()} }

// Handle registers h for a "METHOD /path" pattern.
func (r *Router) Handle(pattern string, h http.Handler) {
	r.mux.Handle(pattern, h)
	r.routes = append(r.routes, pattern)
}

// HandleFunc registers f for a "METHOD /path" pattern.
func (r *Router) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	r.Handle(pattern, http.HandlerFunc(f))
}

// Routes returns the registered patterns, sorted.
func (r *Router) Routes() []string {
	out := slices.Clone(r.routes)
	slices.Sort(out)
	return out
}

// ServeHTTP implements http.Handler.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }
