package ports

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/fanout"
)

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	catalog, err := app.NewCatalog(app.Config{Repository: adapters.NewMemoryProductRepository()})
	if err != nil {
		t.Fatal(err)
	}
	server, err := NewServer(ServerConfig{Products: catalog, RateLimit: RateLimit{PerSecond: 0.5, Burst: 2}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		status int
	}{
		{"first request within the burst", "/products", http.StatusOK},
		{"second request within the burst", "/products", http.StatusOK},
		{"health checks are never limited", "/healthz", http.StatusOK},
		{"third request is refused", "/products", http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, tt.path, nil)
		server.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Fatalf("%s: status %d, want %d", tt.name, rec.Code, tt.status)
		}
		if tt.status != http.StatusTooManyRequests {
			continue
		}
		// The telemetry middleware labels the 429 by this pattern, not as "unmatched".
		if req.Pattern != "/products" {
			t.Errorf("%s: r.Pattern %q after a 429, want the route /products", tt.name, req.Pattern)
		}
		var body problemBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code != "rate_limited" || body.Status != http.StatusTooManyRequests {
			t.Errorf("%s: body %s, want a problem with code rate_limited", tt.name, rec.Body.String())
		}
		if got := rec.Header().Get("Retry-After"); got != "2" {
			t.Errorf("%s: Retry-After %q, want \"2\" (one token every 2 s)", tt.name, got)
		}
		if ct := rec.Header().Get("Content-Type"); ct != problemJSON {
			t.Errorf("%s: Content-Type %q", tt.name, ct)
		}
	}
}

type fixedDetails struct{ details fanout.Details }

func (f fixedDetails) Fetch(_ context.Context, _ string) fanout.Details { return f.details }

func TestProductDetailsShape(t *testing.T) {
	catalog, err := app.NewCatalog(app.Config{Repository: adapters.NewMemoryProductRepository()})
	if err != nil {
		t.Fatal(err)
	}
	details := fanout.Details{
		Pricing:  &fanout.PricingInfo{DiscountPercent: 10, Currency: "EUR"},
		Degraded: []fanout.Degraded{{Upstream: fanout.Inventory, Reason: fanout.ReasonTimeout}, {Upstream: fanout.Reviews, Reason: fanout.ReasonError}},
	}
	server, err := NewServer(ServerConfig{Products: catalog, Details: fixedDetails{details}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	post := httptest.NewRequest(http.MethodPost, "/products", strings.NewReader(`{"sku": "MUG-1", "name": "Mug", "price": {"amount_minor": 1250, "currency": "EUR"}}`))
	post.Header.Set("Content-Type", "application/json")
	server.ServeHTTP(rec, post)
	var created map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatalf("POST: %v %s", err, rec.Body.String())
	}
	if _, ok := created["degraded"]; ok {
		t.Errorf("POST answers the product alone, got %s", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	server.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/products/"+created["id"].(string), nil))
	want := `{"id":"` + created["id"].(string) + `","sku":"MUG-1","name":"Mug","price":{"amount_minor":1250,"currency":"EUR"},` +
		`"pricing":{"discount_percent":10,"currency":"EUR"},"inventory":null,"reviews":null,` +
		`"degraded":[{"upstream":"inventory","reason":"timeout"},{"upstream":"reviews","reason":"error"}]}`
	if got := rec.Body.String(); got != want {
		t.Errorf("GET /products/{id}\n got %s\nwant %s", got, want)
	}
}
