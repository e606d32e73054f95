package observability

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// unmatched is the route label of a request no route matched (the Python twin's name).
const unmatched = "unmatched"

// Middleware wraps the API: GET /metrics answers the registry; every other request gets a
// request id (in its context and echoed back), a server span, a latency observation labelled
// with its route pattern (never the raw path: ids would explode the label set) and one log line.
func (t *Telemetry) Middleware(next http.Handler) http.Handler {
	metrics := promhttp.HandlerFor(t.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" && r.Method == http.MethodGet {
			metrics.ServeHTTP(w, r)
			return
		}
		started := time.Now()
		id := RequestIDFrom(r.Header.Get(RequestIDHeader))
		ctx, span := t.Tracer.Start(WithRequestID(r.Context(), id), r.Method+" "+r.URL.Path,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				attribute.String("http.request.method", r.Method),
				attribute.String("catalog.request_id", id),
			))
		defer span.End()
		w.Header().Set(RequestIDHeader, id)
		recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		r = r.WithContext(ctx)
		next.ServeHTTP(recorder, r)
		// The ServeMux writes the matched pattern into the request it routed (this one); a
		// pattern with a method ("GET /x") is labelled by its path.
		route := r.Pattern
		if _, path, ok := strings.Cut(route, " "); ok {
			route = path
		}
		if route == "" || route == "/" {
			route = unmatched
		}
		span.SetName(r.Method + " " + route)
		span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", recorder.status))
		if recorder.status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(recorder.status))
		}
		elapsed := time.Since(started)
		t.RequestLatency.WithLabelValues(r.Method, route, strconv.Itoa(recorder.status)).Observe(elapsed.Seconds())
		t.Logger.InfoContext(ctx, "request", "method", r.Method, "route", route, "status", recorder.status,
			"duration_ms", float64(elapsed.Microseconds())/1000)
	})
}

// statusRecorder remembers the status code the handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b) // a decorator passes errors through
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
