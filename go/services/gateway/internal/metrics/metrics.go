// Package metrics is the gateway's Prometheus side (client_golang, one registry per Metrics so
// each test has its own), served at GET /metrics. The names and labels are the contract of
// tooling/rollout/README.md "The metric contract":
//
//   - gateway_request_duration_seconds{method,route,status}: one observation per HTTP request
//     (not /metrics), route = the route template, status = the HTTP code as a string; the
//     buckets are the catalogs' (0.8, the recommendations SLO threshold, is an edge).
//   - gateway_upstream_requests_total{upstream,code} and
//     gateway_upstream_duration_seconds{upstream,code}: one per gRPC call to a recommender
//     (a stream when it ends), upstream = the configured name, code = the gRPC code name.
//   - gateway_upstream_weight{upstream}: the routing weight (0..100) of each upstream.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc/codes"
)

// LatencyBuckets are the catalogs' edges, in seconds: 0.8 (the gateway's latency SLO) and
// 0.25 (the recommender's) print the same in every client library.
var LatencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1.0, 2.5, 5.0}

// Metrics holds the gateway's series and the registry that serves them.
type Metrics struct {
	registry         *prometheus.Registry
	requestDuration  *prometheus.HistogramVec
	upstreamRequests *prometheus.CounterVec
	upstreamDuration *prometheus.HistogramVec
	upstreamWeight   *prometheus.GaugeVec
}

// New returns Metrics with its own registry (Go runtime and process collectors included).
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route template and status.",
			Buckets: LatencyBuckets,
		}, []string{"method", "route", "status"}),
		upstreamRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_upstream_requests_total",
			Help: "gRPC calls to a recommender upstream, by upstream name and gRPC code.",
		}, []string{"upstream", "code"}),
		upstreamDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_upstream_duration_seconds",
			Help:    "Duration of gRPC calls to a recommender upstream (a stream until it ends), by upstream name and gRPC code.",
			Buckets: LatencyBuckets,
		}, []string{"upstream", "code"}),
		upstreamWeight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gateway_upstream_weight",
			Help: "Share of new requests (0..100) routed to each recommender upstream.",
		}, []string{"upstream"}),
	}
	m.registry.MustRegister(m.requestDuration, m.upstreamRequests, m.upstreamDuration, m.upstreamWeight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Registry is the registry behind Handler (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// ObserveRequest records one HTTP request.
func (m *Metrics) ObserveRequest(method, route string, status int, elapsed time.Duration) {
	m.requestDuration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(elapsed.Seconds())
}

// ObserveUpstream records one finished gRPC call to the upstream named upstream.
func (m *Metrics) ObserveUpstream(upstream string, code codes.Code, elapsed time.Duration) {
	name := CodeName(code)
	m.upstreamRequests.WithLabelValues(upstream, name).Inc()
	m.upstreamDuration.WithLabelValues(upstream, name).Observe(elapsed.Seconds())
}

// SetWeight sets the upstream's weight gauge.
func (m *Metrics) SetWeight(upstream string, weight int) {
	m.upstreamWeight.WithLabelValues(upstream).Set(float64(weight))
}

// codeNames are the gRPC code names in upper snake case, as the recommender's
// recommender_rpc_duration_seconds{code} spells them (codes.Code.String() is CamelCase).
var codeNames = map[codes.Code]string{
	codes.OK: "OK", codes.Canceled: "CANCELLED", codes.Unknown: "UNKNOWN", codes.InvalidArgument: "INVALID_ARGUMENT",
	codes.DeadlineExceeded: "DEADLINE_EXCEEDED", codes.NotFound: "NOT_FOUND", codes.AlreadyExists: "ALREADY_EXISTS",
	codes.PermissionDenied: "PERMISSION_DENIED", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION", codes.Aborted: "ABORTED", codes.OutOfRange: "OUT_OF_RANGE",
	codes.Unimplemented: "UNIMPLEMENTED", codes.Internal: "INTERNAL", codes.Unavailable: "UNAVAILABLE",
	codes.DataLoss: "DATA_LOSS", codes.Unauthenticated: "UNAUTHENTICATED",
}

// CodeName is the upper-case gRPC name of code ("UNKNOWN" for a number outside the spec).
func CodeName(code codes.Code) string {
	if name, ok := codeNames[code]; ok {
		return name
	}
	return "UNKNOWN"
}
