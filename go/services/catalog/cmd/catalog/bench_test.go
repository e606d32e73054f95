package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/platform"
	"languagetracks.example/go/services/catalog/internal/ports"
)

// BenchmarkGetProductDetails is `pnpm bench catalog-go`'s request in process: the handler
// run() serves (middleware, rate limit, product read from SQLite in memory, the fan-out to the
// simulated upstreams through the resilience chain), JSON logs to io.Discard. It is the
// figure to profile (-cpuprofile) when the req/s goal moves; not a timed assertion.
func BenchmarkGetProductDetails(b *testing.B) {
	ctx := context.Background()
	logger := platform.NewLogger(io.Discard)
	store, stop, err := openStore(ctx, "", "CATALOG_DB", brokerConfig{}, logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	catalog, err := app.NewCatalog(app.Config{UnitOfWork: store})
	if err != nil {
		b.Fatal(err)
	}
	telemetry := newTelemetry(logger)
	env := map[string]string{"CATALOG_RATE_LIMIT_RPS": "1000000", "CATALOG_RATE_LIMIT_BURST": "1000000"}
	fanOut, limit, err := fromEnv(func(k string) string { return env[k] }, telemetry)
	if err != nil {
		b.Fatal(err)
	}
	server, err := ports.NewServer(ports.ServerConfig{Products: catalog, Logger: logger, Details: fanOut, RateLimit: limit})
	if err != nil {
		b.Fatal(err)
	}
	handler := telemetry.Middleware(server)
	created := httptest.NewRecorder()
	handler.ServeHTTP(created, httptest.NewRequest(http.MethodPost, "/products",
		strings.NewReader(`{"sku":"BENCH-1","name":"Bench mug","price":{"amount_minor":1250,"currency":"EUR"}}`)))
	var product struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(created.Body.Bytes(), &product); err != nil || created.Code != http.StatusCreated {
		b.Fatalf("POST /products = %d %s", created.Code, created.Body.String())
	}
	req := httptest.NewRequest(http.MethodGet, "/products/"+product.ID, nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET = %d %s", w.Code, w.Body.String())
		}
	}
}
