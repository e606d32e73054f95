package ports

import (
	"net/http"
	"strings"
	"time"
)

// metricsRoute serves Prometheus text; it is not observed itself.
const metricsRoute = "/metrics"

// unmatched is the route label of a request no route matched (the catalogs' name).
const unmatched = "unmatched"

// knownMethods bound the method label: methods come from clients, and every new value would
// be a new series.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true,
	http.MethodDelete: true, http.MethodOptions: true, http.MethodConnect: true, http.MethodTrace: true,
}

// observe records one request by its route template: the ServeMux wrote the matched pattern
// into r ("GET /users/{id}/recommendations" is labelled by its path).
func (s *Server) observe(r *http.Request, status int, started time.Time) {
	route := r.Pattern
	if _, path, ok := strings.Cut(route, " "); ok {
		route = path
	}
	if route == metricsRoute {
		return
	}
	if route == "" || route == "/" {
		route = unmatched
	}
	method := r.Method
	if !knownMethods[method] {
		method = "OTHER"
	}
	s.metrics.ObserveRequest(method, route, status, s.now().Sub(started))
}

// statusRecorder remembers the status a handler sent. Unwrap lets http.ResponseController
// reach the real writer, so the NDJSON stream still flushes line by line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status sent, 200 when the handler wrote nothing (net/http's default).
func (w *statusRecorder) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
