package observability_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"languagetracks.example/go/services/catalog/internal/observability"
)

// BenchmarkMiddleware is the cost the middleware adds to a request, with the service's defaults:
// no tracer provider configured (a no-op) and JSON logs (to io.Discard here).
func BenchmarkMiddleware(b *testing.B) {
	tel := observability.New(noop.NewTracerProvider(), slog.New(observability.ContextHandler{Handler: slog.NewJSONHandler(io.Discard, nil)}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{product_id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "{}") })
	handler := tel.Middleware(mux)
	req := httptest.NewRequest(http.MethodGet, "/products/p-1", nil)
	w := discardWriter{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		handler.ServeHTTP(w, req)
	}
}

type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header       { return d.header }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}
