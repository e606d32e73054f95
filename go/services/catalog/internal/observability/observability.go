// Package observability is the catalog's telemetry (lab 9), the Go twin of the Python
// catalog's observability.py, with the same names on the wire:
//
//   - Logs: log/slog, one JSON object per line. Each request carries a request id through its
//     context (the X-Request-ID header when the client sent a sane one, else a fresh one); the
//     ContextHandler adds it to every line logged with that context, and the response echoes it.
//   - Traces: OpenTelemetry, a server span per request (Middleware) and a client span per
//     upstream call (internal/resilience). The tracer provider is passed in (tests use an
//     in-memory exporter); by default the global one, a no-op until something configures it.
//   - Metrics: Prometheus client_golang, one registry per Telemetry (each test has its own),
//     served at GET /metrics: catalog_request_duration_seconds, catalog_upstream_errors_total,
//     catalog_breaker_state, catalog_outbox_lag_messages (read from the store at scrape time).
//
// Logs say what happened to one request, traces where its time went, metrics how the whole
// service behaves (rate, errors, duration: RED) at a cost that does not grow with traffic.
package observability

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// RequestIDHeader is read from the request and echoed on the response.
const RequestIDHeader = "X-Request-ID"

// saneRequestID is ^[A-Za-z0-9._:-]{1,128}$, by hand: it runs on every request.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := range len(id) {
		if !requestIDByte(id[i]) {
			return false
		}
	}
	return true
}

func requestIDByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '.' || c == '_' || c == ':' || c == '-'
}

// LatencyBuckets are the request latency histogram's edges, in seconds: the SLO thresholds of
// GET /products/{id} (p99 under the 0.8 s deadline) are edges, as in the Python twin.
var LatencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1.0, 2.5, 5.0}

// Breaker states as the catalog_breaker_state gauge reports them.
const (
	BreakerClosed   = "closed"
	BreakerHalfOpen = "half_open"
	BreakerOpen     = "open"
)

var breakerStateValue = map[string]float64{BreakerClosed: 0, BreakerHalfOpen: 1, BreakerOpen: 2}

// OutboxLagLimit bounds the count behind catalog_outbox_lag_messages (the Python twin's
// OUTBOX_LAG_LIMIT): a scrape never counts a huge backlog row by row.
const OutboxLagLimit = 10_000

// OutboxLagReader counts the outbox messages not yet relayed, up to limit.
type OutboxLagReader func(ctx context.Context, limit int) (int, error)

// Telemetry is everything the HTTP edge and the upstream adapters record into.
type Telemetry struct {
	// Registry holds the metrics GET /metrics serves.
	Registry *prometheus.Registry
	// Tracer starts the request and upstream spans.
	Tracer trace.Tracer
	// Logger logs the request lines and breaker changes.
	Logger *slog.Logger
	// RequestLatency is catalog_request_duration_seconds{method, route, status}.
	RequestLatency *prometheus.HistogramVec
	// UpstreamErrors is catalog_upstream_errors_total{upstream, reason}.
	UpstreamErrors *prometheus.CounterVec
	// BreakerState is catalog_breaker_state{upstream}: 0 closed, 1 half-open, 2 open.
	BreakerState *prometheus.GaugeVec
	// OutboxLag is catalog_outbox_lag_messages: set from the OutboxLagReader on each scrape.
	OutboxLag prometheus.Gauge

	outboxLag OutboxLagReader
}

// New returns a Telemetry with its own registry; a nil provider means otel's global one, a nil
// logger slog.Default().
func New(provider trace.TracerProvider, logger *slog.Logger) *Telemetry {
	if provider == nil {
		provider = otel.GetTracerProvider()
	}
	if logger == nil {
		logger = slog.Default()
	}
	t := &Telemetry{
		Registry: prometheus.NewRegistry(),
		Tracer:   provider.Tracer("catalog"),
		Logger:   logger,
		RequestLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "catalog_request_duration_seconds",
			Help:    "Time to answer an HTTP request.",
			Buckets: LatencyBuckets,
		}, []string{"method", "route", "status"}),
		UpstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "catalog_upstream_errors_total",
			Help: "Upstream calls that failed, by upstream and reason.",
		}, []string{"upstream", "reason"}),
		BreakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "catalog_breaker_state",
			Help: "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.",
		}, []string{"upstream"}),
		OutboxLag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "catalog_outbox_lag_messages",
			Help: fmt.Sprintf("Outbox messages not yet relayed (counted up to %d).", OutboxLagLimit),
		}),
	}
	t.Registry.MustRegister(t.RequestLatency, t.UpstreamErrors, t.BreakerState, t.OutboxLag)
	return t
}

// ReadOutboxLag makes every GET /metrics set catalog_outbox_lag_messages from read first (as
// the Python twin does). Call it before serving. A failed read is logged and leaves the last
// value: the scrape still answers, and the database's own health shows on /readyz.
func (t *Telemetry) ReadOutboxLag(read OutboxLagReader) {
	t.outboxLag = read
}

// refreshOutboxLag sets the outbox gauge for a scrape.
func (t *Telemetry) refreshOutboxLag(ctx context.Context) {
	if t.outboxLag == nil {
		return
	}
	n, err := t.outboxLag(ctx, OutboxLagLimit)
	if err != nil {
		t.Logger.WarnContext(ctx, "outbox lag unavailable", "error", err.Error())
		return
	}
	t.OutboxLag.Set(float64(n))
}

// BreakerChanged records a breaker's new state (one of the Breaker* constants) in the gauge
// and the log.
func (t *Telemetry) BreakerChanged(upstream, state string) {
	t.BreakerState.WithLabelValues(upstream).Set(breakerStateValue[state])
	t.Logger.Info("breaker_state_changed", "upstream", upstream, "state", state)
}

// UpstreamFailed counts one failed upstream call.
func (t *Telemetry) UpstreamFailed(upstream, reason string) {
	t.UpstreamErrors.WithLabelValues(upstream, reason).Inc()
}

type requestIDKey struct{}

// RequestIDFrom is the client's id when it is a sane token (ids end up in logs), else a new one.
func RequestIDFrom(header string) string {
	if saneRequestID(header) {
		return header
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ContextHandler is a slog.Handler that adds the request id of the record's context:
// logger.InfoContext(ctx, ...) inside a request logs request_id without passing it around.
type ContextHandler struct {
	slog.Handler
}

// Handle implements slog.Handler.
func (h ContextHandler) Handle(ctx context.Context, record slog.Record) error {
	if id := RequestID(ctx); id != "" {
		record.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, record) // a decorator passes errors through
}

// WithAttrs implements slog.Handler.
func (h ContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return ContextHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h ContextHandler) WithGroup(name string) slog.Handler {
	return ContextHandler{h.Handler.WithGroup(name)}
}
