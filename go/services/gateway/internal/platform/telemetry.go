package platform

import (
	"context"
	"fmt"
	"os"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Propagator is the W3C trace context (traceparent/tracestate), the one both runtimes speak.
func Propagator() propagation.TextMapPropagator { return propagation.TraceContext{} }

// NewTracerProvider returns the gateway's tracer provider: spans are always recorded (the
// trace id reaches the recommender either way); with traceFile set they are also written
// there, one JSON object per line, for the cross-runtime E2E. shutdown flushes and closes.
func NewTracerProvider(traceFile string) (*sdktrace.TracerProvider, func(context.Context) error, error) {
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName("gateway"))),
	}
	var file *os.File
	if traceFile != "" {
		f, err := os.OpenFile(traceFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) // #nosec G304 -- the operator's own path
		if err != nil {
			return nil, nil, fmt.Errorf("open GATEWAY_TRACE_FILE: %w", err)
		}
		exporter, err := stdouttrace.New(stdouttrace.WithWriter(f))
		if err != nil {
			_ = f.Close()
			return nil, nil, fmt.Errorf("trace exporter: %w", err)
		}
		file = f
		opts = append(opts, sdktrace.WithSyncer(exporter))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	shutdown := func(ctx context.Context) error {
		err := tp.Shutdown(ctx)
		if file != nil {
			if closeErr := file.Close(); err == nil {
				err = closeErr
			}
		}
		return err
	}
	return tp, shutdown, nil
}
