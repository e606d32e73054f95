package observability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"languagetracks.example/go/services/catalog/internal/observability"
)

func newTelemetry(t *testing.T) (*observability.Telemetry, *tracetest.InMemoryExporter, *bytes.Buffer) {
	t.Helper()
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = provider.Shutdown(t.Context()) })
	var logs bytes.Buffer
	logger := slog.New(observability.ContextHandler{Handler: slog.NewJSONHandler(&logs, nil)})
	return observability.New(provider, logger), exporter, &logs
}

// A handler with a ServeMux, like the catalog's: the route label is the pattern.
func api(tel *observability.Telemetry) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{product_id}", func(w http.ResponseWriter, r *http.Request) {
		tel.Logger.InfoContext(r.Context(), "inside")
		_, _ = io.WriteString(w, "{}")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	return tel.Middleware(mux)
}

func TestRequestID(t *testing.T) {
	tests := []struct {
		name, header string
		echoed       bool
	}{
		{"a sane id is honoured", "abc-123.x:y_z", true},
		{"a missing one is generated", "", false},
		{"an insane one is replaced", "no spaces <here>", false},
		{"a too long one is replaced", strings.Repeat("a", 129), false},
		{"128 characters are fine", strings.Repeat("a", 128), true},
		{"a non-ASCII one is replaced", "idé-1", false},
	}
	tel, _, logs := newTelemetry(t)
	handler := api(tel)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest(http.MethodGet, "/products/p-1", nil)
			if tt.header != "" {
				req.Header.Set(observability.RequestIDHeader, tt.header)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			got := rec.Header().Get(observability.RequestIDHeader)
			if (got == tt.header) != tt.echoed || got == "" {
				t.Fatalf("X-Request-ID = %q for %q, echoed want %v", got, tt.header, tt.echoed)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 2 {
				t.Fatalf("log lines = %q, want the handler's and the request's", lines)
			}
			for _, line := range lines {
				var record map[string]any
				if err := json.Unmarshal([]byte(line), &record); err != nil || record["request_id"] != got {
					t.Errorf("log line %s: request_id must be %q", line, got)
				}
			}
		})
	}
}

func TestMetricsAndSpans(t *testing.T) {
	tel, exporter, _ := newTelemetry(t)
	handler := api(tel)
	for _, path := range []string{"/products/p-1", "/products/p-2", "/nowhere"} {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	// Made-up methods from clients share one label: the series stay a closed set.
	for i := range 50 {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(fmt.Sprintf("BREW%d", i), "/products/p-1", nil))
	}
	tel.UpstreamFailed("pricing", "timeout")
	tel.BreakerChanged("pricing", observability.BreakerOpen)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`catalog_request_duration_seconds_count{method="GET",route="/products/{product_id}",status="200"} 2`,
		`catalog_request_duration_seconds_bucket{method="GET",route="/products/{product_id}",status="200",le="0.8"} 2`,
		`catalog_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`catalog_request_duration_seconds_count{method="OTHER",route="unmatched",status="404"} 50`,
		`catalog_upstream_errors_total{reason="timeout",upstream="pricing"} 1`,
		`catalog_breaker_state{upstream="pricing"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s\n%s", want, body)
		}
	}
	if strings.Contains(body, "BREW") {
		t.Errorf("a client's made-up method became a label:\n%s", body)
	}
	spans := exporter.GetSpans()
	if len(spans) != 53 || spans[0].Name != "GET /products/{product_id}" || spans[2].Name != "GET unmatched" {
		t.Fatalf("spans = %v, want one server span per request named by its route", spans.Snapshots())
	}
}

// catalog_outbox_lag_messages is exported from the start (0), read on every scrape with the
// Python twin's limit, and keeps its last value (with a warning) when a read fails.
func TestOutboxLagIsReadAtScrapeTime(t *testing.T) {
	tel, _, logs := newTelemetry(t)
	handler := api(tel)
	scrape := func() string {
		t.Helper()
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /metrics = %d", rec.Code)
		}
		return rec.Body.String()
	}
	if body := scrape(); !strings.Contains(body, "\ncatalog_outbox_lag_messages 0\n") {
		t.Fatalf("no reader yet: want the gauge at 0 in\n%s", body)
	}
	var lag int
	var readErr error
	var limits []int
	tel.ReadOutboxLag(func(_ context.Context, limit int) (int, error) {
		limits = append(limits, limit)
		return lag, readErr
	})
	lag = 3
	if body := scrape(); !strings.Contains(body, "\ncatalog_outbox_lag_messages 3\n") {
		t.Fatalf("3 pending: want the gauge at 3 in\n%s", body)
	}
	lag = 1
	if body := scrape(); !strings.Contains(body, "\ncatalog_outbox_lag_messages 1\n") {
		t.Fatalf("1 pending: want the gauge at 1 in\n%s", body)
	}
	lag, readErr = 0, errors.New("database is locked")
	if body := scrape(); !strings.Contains(body, "\ncatalog_outbox_lag_messages 1\n") {
		t.Fatalf("a failed read: want the last value (1) in\n%s", body)
	}
	if !strings.Contains(logs.String(), "outbox lag unavailable") || !strings.Contains(logs.String(), "database is locked") {
		t.Errorf("a failed read is not logged: %s", logs.String())
	}
	for _, limit := range limits {
		if limit != 10_000 {
			t.Errorf("read with limit %d, want 10000 (the Python twin's)", limit)
		}
	}
	if len(limits) != 3 {
		t.Errorf("read %d times for 3 scrapes", len(limits))
	}
}

// The request's log line: method, route (the pattern), status and duration_ms as JSON types.
func TestRequestLogLine(t *testing.T) {
	tel, _, logs := newTelemetry(t)
	api(tel).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p-1", nil))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var record map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &record); err != nil {
		t.Fatalf("log line %q: %v", lines[len(lines)-1], err)
	}
	duration, isNumber := record["duration_ms"].(float64)
	if record["msg"] != "request" || record["level"] != "INFO" || record["method"] != "GET" ||
		record["route"] != "/products/{product_id}" || record["status"] != float64(http.StatusOK) || !isNumber || duration < 0 {
		t.Errorf("request log line = %v", record)
	}
}
