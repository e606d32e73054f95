// Package adapters connects the gateway to the recommender over gRPC: the client connection
// (retries through the service config, otelgrpc tracing), the background health watcher per
// upstream (health.go) and the weighted, health-aware Router (router.go).
package adapters

import (
	"fmt"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// ServiceName is the full name of the contract's service, as the service config names it.
const ServiceName = "languagetracks.recommendations.v1.RecommendationService"

// ServiceConfig is the client's gRPC service config: Recommend and RecordFeedback are retried
// on UNAVAILABLE only (the server did not process the call, or RecordFeedback's idempotency
// key makes a replay harmless), at most 3 attempts in all, with jittered exponential backoff.
// Every attempt shares the call's one deadline, so retries never stretch the budget.
// StreamRecommendations is not listed: a stream that already sent items is not replayed.
const ServiceConfig = `{
  "methodConfig": [{
    "name": [
      {"service": "` + ServiceName + `", "method": "Recommend"},
      {"service": "` + ServiceName + `", "method": "RecordFeedback"}
    ],
    "retryPolicy": {
      "maxAttempts": 3,
      "initialBackoff": "0.02s",
      "maxBackoff": "0.2s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
}`

// DialConfig is what Dial needs.
type DialConfig struct {
	// Target is host:port (a leading http:// or grpc:// is dropped).
	Target string
	// TracerProvider and Propagator feed the otelgrpc client stats handler; nil means the
	// global ones.
	TracerProvider trace.TracerProvider
	Propagator     propagation.TextMapPropagator
	// Extra are added after the gateway's own options (tests pass a bufconn dialer).
	Extra []grpc.DialOption
}

// Dial opens a lazy client connection to the recommender (plaintext; mTLS is the
// recommender's option and would be a credentials change here).
func Dial(cfg DialConfig) (*grpc.ClientConn, error) {
	target := cfg.Target
	for _, scheme := range []string{"http://", "grpc://"} {
		target = strings.TrimPrefix(target, scheme)
	}
	// The health watcher's polls (a few per second per upstream) are not traced: spans of
	// the calls that carry requests only.
	otelOpts := []otelgrpc.Option{otelgrpc.WithFilter(filters.Not(filters.HealthCheck()))}
	if cfg.TracerProvider != nil {
		otelOpts = append(otelOpts, otelgrpc.WithTracerProvider(cfg.TracerProvider))
	}
	if cfg.Propagator != nil {
		otelOpts = append(otelOpts, otelgrpc.WithPropagators(cfg.Propagator))
	}
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(ServiceConfig),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelOpts...)),
	}, cfg.Extra...)
	conn, err := grpc.NewClient("passthrough:///"+target, opts...)
	if err != nil {
		return nil, fmt.Errorf("dial recommender %q: %w", target, err)
	}
	return conn, nil
}
