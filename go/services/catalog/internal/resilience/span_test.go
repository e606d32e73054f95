package resilience

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"languagetracks.example/go/services/catalog/internal/fanout"
	"languagetracks.example/go/services/catalog/internal/observability"
)

// Each upstream call is a client span "upstream <name>" with the upstream and the product as
// attributes (set only when the span records: the hot path with no exporter skips them), and
// an error status naming the reason when the call failed.
func TestUpstreamSpan(t *testing.T) {
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = provider.Shutdown(context.Background()) })
	tel := observability.New(provider, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	policy := Policy{Retry: Retry{Attempts: 1}, Breaker: DefaultBreakerPolicy}
	wrapped := Wrap(fanout.Upstreams{
		fanout.Pricing:   fanout.Simulated{Name: fanout.Pricing},
		fanout.Inventory: fanout.Simulated{Name: fanout.Inventory, Fail: true},
	}, policy, tel)
	if _, err := wrapped[fanout.Pricing].Fetch(context.Background(), "p-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := wrapped[fanout.Inventory].Fetch(context.Background(), "p-2"); err == nil {
		t.Fatal("a failing upstream must fail")
	}
	// An Upstream built without Wrap names its span the same way.
	bare := &Upstream{Name: fanout.Reviews, Inner: fanout.Simulated{Name: fanout.Reviews}, Breaker: NewBreaker("reviews", DefaultBreakerPolicy, nil), Retry: Retry{Attempts: 1}, Telemetry: tel}
	if _, err := bare.Fetch(context.Background(), "p-3"); err != nil {
		t.Fatal(err)
	}
	spans := exporter.GetSpans()
	want := []struct {
		name, upstream, product string
		status                  codes.Code
	}{
		{"upstream pricing", "pricing", "p-1", codes.Unset},
		{"upstream inventory", "inventory", "p-2", codes.Error},
		{"upstream reviews", "reviews", "p-3", codes.Unset},
	}
	if len(spans) != len(want) {
		t.Fatalf("spans = %v, want %d", spans.Snapshots(), len(want))
	}
	for i, w := range want {
		span := spans[i]
		attrs := attribute.NewSet(span.Attributes...)
		upstream, _ := attrs.Value("catalog.upstream")
		product, _ := attrs.Value("catalog.product_id")
		if span.Name != w.name || span.SpanKind != trace.SpanKindClient || upstream.AsString() != w.upstream ||
			product.AsString() != w.product || span.Status.Code != w.status {
			t.Errorf("span %d = %q kind %v attrs %v status %v, want %+v", i, span.Name, span.SpanKind, span.Attributes, span.Status, w)
		}
	}
	if spans[1].Status.Description != string(fanout.ReasonError) {
		t.Errorf("failed span status = %q, want %q", spans[1].Status.Description, fanout.ReasonError)
	}
}
