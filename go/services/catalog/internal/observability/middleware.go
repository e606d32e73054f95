package observability

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// unmatched is the route label of a request no route matched (the Python twin's name).
const unmatched = "unmatched"

// otherMethod labels a method outside the closed set, as at the gateway: the method comes from
// the client, and a label taken from it as it is lets any client add series without bound (500
// made-up methods made ~7,000 series).
const otherMethod = "OTHER"

// metricMethod is the method as a metric label: one of the methods the API knows, or OTHER.
func metricMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	default:
		return otherMethod
	}
}

// Middleware wraps the API: GET /metrics answers the registry; every other request gets a
// request id (in its context and echoed back), a server span, a latency observation labelled
// with its route pattern (never the raw path: ids would explode the label set) and one log line.
//
// It is on every request's path, so it avoids the work it can: span attributes are built only
// for a recording span (none with the default no-op provider), and the histogram's observers
// are bound once per (method, route, status) instead of hashing the label values each time.
func (t *Telemetry) Middleware(next http.Handler) http.Handler {
	metrics := promhttp.HandlerFor(t.Registry, promhttp.HandlerOpts{})
	observers := &boundObservers{vec: t.RequestLatency, bound: map[observerKey]prometheus.Observer{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" && r.Method == http.MethodGet {
			t.refreshOutboxLag(r.Context())
			metrics.ServeHTTP(w, r)
			return
		}
		started := time.Now()
		id := RequestIDFrom(r.Header.Get(RequestIDHeader))
		// Named by the method until the route is known (the semantic conventions' fallback);
		// renamed "METHOD route" below.
		method := metricMethod(r.Method)
		ctx, span := t.Tracer.Start(WithRequestID(r.Context(), id), method, trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		recording := span.IsRecording()
		if recording {
			span.SetAttributes(attribute.String("http.request.method", r.Method), attribute.String("catalog.request_id", id))
		}
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
		if recording {
			span.SetName(method + " " + route)
			span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", recorder.status))
			if recorder.status >= http.StatusInternalServerError {
				span.SetStatus(codes.Error, http.StatusText(recorder.status))
			}
		}
		elapsed := time.Since(started)
		observers.get(method, route, recorder.status).Observe(elapsed.Seconds())
		// Typed attributes (LogAttrs), not key-value pairs: no value is boxed into an interface.
		t.Logger.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", recorder.status), slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000))
	})
}

type observerKey struct {
	method, route string
	status        int
}

// maxBoundObservers bounds the bound-observer cache: methods come from clients, so a hostile
// one could make many; past the bound the vector's own lookup is used.
const maxBoundObservers = 256

// boundObservers is the request histogram with its label values bound once per combination.
type boundObservers struct {
	vec   *prometheus.HistogramVec
	mu    sync.RWMutex
	bound map[observerKey]prometheus.Observer
}

func (b *boundObservers) get(method, route string, status int) prometheus.Observer {
	key := observerKey{method: method, route: route, status: status}
	b.mu.RLock()
	observer, ok := b.bound[key]
	b.mu.RUnlock()
	if ok {
		return observer
	}
	observer = b.vec.WithLabelValues(method, route, strconv.Itoa(status))
	b.mu.Lock()
	if len(b.bound) < maxBoundObservers {
		b.bound[key] = observer
	}
	b.mu.Unlock()
	return observer
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
