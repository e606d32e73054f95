// Package resilience is lab 9's: it wraps each fanout.Upstream in a circuit breaker
// (breaker.go), retries of the idempotent GET with backoff and jitter (retry.go) and, for the
// slowest upstream, a hedged second call (hedge.go), with a span and an error count per call.
// Aggregator wraps the lab 7 fan-out to report the parts whose breaker was open as
// "circuit_open", the Python twin's reason (python/services/catalog/README.md).
package resilience

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"languagetracks.example/go/services/catalog/internal/fanout"
	"languagetracks.example/go/services/catalog/internal/observability"
)

// Upstream is a fanout.Upstream made resilient. Per call: a client span, then the breaker
// around the whole call (one failure for the breaker is one call whose retries all failed),
// retries inside it, and the hedge (if any) around each attempt.
type Upstream struct {
	Name      fanout.Name
	Inner     fanout.Upstream
	Breaker   *Breaker
	Retry     Retry
	Hedge     Hedge
	Telemetry *observability.Telemetry

	spanName string // "upstream <name>", built once by Wrap (else per call)
}

// Fetch implements fanout.Upstream.
//
// It runs on a goroutine of its own per call (the fan-out's), whose stack starts small and is
// copied each time it grows: so the span's attributes are built only for a recording span
// (none with the default no-op provider), which keeps this frame small and allocation-free.
func (u *Upstream) Fetch(ctx context.Context, productID string) ([]byte, error) {
	name := u.spanName
	if name == "" {
		name = "upstream " + string(u.Name)
	}
	ctx, span := u.Telemetry.Tracer.Start(ctx, name, clientSpan)
	defer span.End()
	if span.IsRecording() {
		u.describe(span, productID)
	}
	raw, err := throughBreaker(u.Breaker, func() ([]byte, error) {
		return u.Retry.Do(ctx, "GET", func(ctx context.Context) ([]byte, error) {
			return u.Hedge.Do(ctx, func(ctx context.Context) ([]byte, error) { return u.Inner.Fetch(ctx, productID) })
		})
	})
	if err != nil {
		u.failed(ctx, span, err)
	}
	return raw, err
}

// describe sets the upstream span's attributes.
func (u *Upstream) describe(span trace.Span, productID string) {
	span.SetAttributes(attribute.String("catalog.upstream", string(u.Name)), attribute.String("catalog.product_id", productID))
}

// failed records a failed call: its reason in the error count and on the span.
func (u *Upstream) failed(ctx context.Context, span trace.Span, err error) {
	reason := string(fanout.ReasonError)
	switch {
	case errors.Is(err, ErrCircuitOpen):
		reason = string(fanout.ReasonCircuitOpen)
		shortCircuited(ctx, u.Name)
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
		reason = string(fanout.ReasonTimeout)
	}
	u.Telemetry.UpstreamFailed(string(u.Name), reason)
	span.SetStatus(codes.Error, reason)
}

// clientSpan is the upstream span's kind, built once.
var clientSpan = trace.WithSpanKind(trace.SpanKindClient)

// budget collects, per request, the upstreams whose breaker refused the call.
type budget struct {
	mu    sync.Mutex
	names map[fanout.Name]bool
}

type budgetKey struct{}

func shortCircuited(ctx context.Context, name fanout.Name) {
	if b, ok := ctx.Value(budgetKey{}).(*budget); ok {
		b.mu.Lock()
		b.names[name] = true
		b.mu.Unlock()
	}
}

// Details is what Aggregator wraps: *fanout.Aggregator.
type Details interface {
	Fetch(ctx context.Context, productID string) fanout.Details
}

// Aggregator is the lab 7 fan-out that reports "circuit_open" for a part whose breaker was
// open (the fan-out itself only sees an error).
type Aggregator struct {
	Inner Details
}

// Fetch implements ports.DetailsService.
func (a Aggregator) Fetch(ctx context.Context, productID string) fanout.Details {
	b := &budget{names: map[fanout.Name]bool{}}
	details := a.Inner.Fetch(context.WithValue(ctx, budgetKey{}, b), productID)
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, d := range details.Degraded {
		if b.names[d.Upstream] && d.Reason == fanout.ReasonError {
			details.Degraded[i].Reason = fanout.ReasonCircuitOpen
		}
	}
	return details
}
