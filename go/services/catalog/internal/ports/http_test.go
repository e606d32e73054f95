package ports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
)

// go test ./internal/ports -run Golden -update rewrites testdata/*.golden from the answers.
var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const firstID = "0b9b7c55-4e5f-4e84-9a57-2f5a3c1d6e70"

func newTestServer(t *testing.T) *Server {
	t.Helper()
	ids := []domain.ProductID{firstID, "1c0c8d66-5f60-4f95-8b68-3a6b4d2e7f81"}
	catalog, err := app.NewCatalog(app.Config{
		Repository: adapters.NewMemoryProductRepository(),
		NewID: func() domain.ProductID {
			if len(ids) == 0 {
				return domain.NewProductID()
			}
			id := ids[0]
			ids = ids[1:]
			return id
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	server, err := NewServer(ServerConfig{Products: catalog, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return server
}

func do(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req := httptest.NewRequestWithContext(context.Background(), method, target, reader)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// golden compares got (indented) with testdata/<name>.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("%s: not JSON: %v: %s", name, err, got)
	}
	pretty.WriteByte('\n')
	file := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(file, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs from %s:\n got: %s\nwant: %s", name, file, pretty.Bytes(), want)
	}
}

const mug = `{"sku": "MUG-001", "name": "  Mug ", "price": {"amount_minor": 1250, "currency": "EUR"}}`

func TestGoldenBodies(t *testing.T) {
	server := newTestServer(t)
	if rec := do(t, server, http.MethodPost, "/products", mug); rec.Code != http.StatusCreated {
		t.Fatalf("POST = %d %s", rec.Code, rec.Body)
	}
	do(t, server, http.MethodPost, "/products", `{"sku": "CUP-001", "name": "Cup", "price": {"amount_minor": 900, "currency": "USD"}}`)
	tests := []struct {
		golden, method, target, body string
		status                       int
		contentType                  string
	}{
		{"product", http.MethodGet, "/products/" + firstID, "", http.StatusOK, "application/json"},
		{"product_list", http.MethodGet, "/products", "", http.StatusOK, "application/json"},
		{"problem_product_not_found", http.MethodGet, "/products/00000000-0000-4000-8000-000000000000", "", http.StatusNotFound, problemJSON},
		{"problem_sku_already_exists", http.MethodPost, "/products", mug, http.StatusConflict, problemJSON},
		{"problem_validation_failed", http.MethodPost, "/products", `{"sku": "bad sku", "name": " ", "price": {"amount_minor": 12.5, "currency": "eur", "colour": 1}, "extra": true}`, http.StatusUnprocessableEntity, problemJSON},
		{"problem_malformed_json", http.MethodPost, "/products", `{"sku": `, http.StatusUnprocessableEntity, problemJSON},
		{"problem_not_found", http.MethodGet, "/nowhere", "", http.StatusNotFound, problemJSON},
		{"problem_method_not_allowed", http.MethodPatch, "/products", "", http.StatusMethodNotAllowed, problemJSON},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			rec := do(t, server, tt.method, tt.target, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("%s %s = %d, want %d: %s", tt.method, tt.target, rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			golden(t, tt.golden, rec.Body.Bytes())
		})
	}
}

// failingService fails every call with an error whose text must never reach the client.
type failingService struct{ ProductService }

var errSecret = errors.New("pq: password authentication failed for user admin at 10.0.0.7")

func (failingService) Products(context.Context) ([]domain.Product, error) { return nil, errSecret }

type panickingService struct{ ProductService }

func (panickingService) Products(context.Context) ([]domain.Product, error) { panic("boom: secret") }

func TestInternalErrorsNeverLeak(t *testing.T) {
	for name, service := range map[string]ProductService{"error": failingService{}, "panic": panickingService{}} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			server, err := NewServer(ServerConfig{Products: service, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			rec := do(t, server, http.MethodGet, "/products", "")
			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("status = %d, want 500", rec.Code)
			}
			if strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "password") {
				t.Errorf("the 500 body leaks the error: %s", rec.Body)
			}
			golden(t, "problem_internal", rec.Body.Bytes())
			if !strings.Contains(logs.String(), "request failed") {
				t.Errorf("the error must be logged: %q", logs.String())
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	server := newTestServer(t)
	created := do(t, server, http.MethodPost, "/products", mug)
	if loc := created.Header().Get("Location"); loc != "/products/"+firstID {
		t.Errorf("Location = %q", loc)
	}
	tests := []struct {
		name, method, target, body string
		status                     int
		allow                      string
	}{
		{"health", http.MethodGet, "/healthz", "", http.StatusOK, ""},
		{"ready", http.MethodGet, "/readyz", "", http.StatusOK, ""},
		{"HEAD is not GET", http.MethodHead, "/products", "", http.StatusMethodNotAllowed, "GET, POST"},
		{"PATCH on an id", http.MethodPatch, "/products/x", "", http.StatusMethodNotAllowed, "DELETE, GET, PUT"},
		{"trailing slash", http.MethodGet, "/products/", "", http.StatusNotFound, ""},
		{"unclean path", http.MethodGet, "/products//" + firstID, "", http.StatusNotFound, ""},
		{"upper-case id", http.MethodGet, "/products/" + strings.ToUpper(firstID), "", http.StatusNotFound, ""},
		{"PUT invalid body on unknown id", http.MethodPut, "/products/nope", `{"name": ""}`, http.StatusUnprocessableEntity, ""},
		{"PUT unknown id", http.MethodPut, "/products/nope", `{"name": "x", "price": {"amount_minor": 1, "currency": "EUR"}}`, http.StatusNotFound, ""},
		{"PUT with sku", http.MethodPut, "/products/" + firstID, `{"sku": "X-1", "name": "x", "price": {"amount_minor": 1, "currency": "EUR"}}`, http.StatusUnprocessableEntity, ""},
		{"PUT", http.MethodPut, "/products/" + firstID, `{"name": "Cup", "price": {"amount_minor": 1, "currency": "EUR"}}`, http.StatusOK, ""},
		{"DELETE", http.MethodDelete, "/products/" + firstID, "", http.StatusNoContent, ""},
		{"DELETE again", http.MethodDelete, "/products/" + firstID, "", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, server, tt.method, tt.target, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("%s %s = %d, want %d: %s", tt.method, tt.target, rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name, contentType, body, field string
	}{
		{"float amount", "application/json", `{"sku": "ABC", "name": "x", "price": {"amount_minor": 12.0, "currency": "EUR"}}`, "price.amount_minor"},
		{"bool amount", "application/json", `{"sku": "ABC", "name": "x", "price": {"amount_minor": true, "currency": "EUR"}}`, "price.amount_minor"},
		{"string amount", "application/json", `{"sku": "ABC", "name": "x", "price": {"amount_minor": "12", "currency": "EUR"}}`, "price.amount_minor"},
		{"amount beyond int64", "application/json", `{"sku": "ABC", "name": "x", "price": {"amount_minor": 9223372036854775808, "currency": "EUR"}}`, "price.amount_minor"},
		{"negative amount", "application/json", `{"sku": "ABC", "name": "x", "price": {"amount_minor": -1, "currency": "EUR"}}`, "price.amount_minor"},
		{"wrong-case member", "application/json", `{"Sku": "ABC", "name": "x", "price": {"amount_minor": 1, "currency": "EUR"}}`, "Sku"},
		{"null name", "application/json", `{"sku": "ABC", "name": null, "price": {"amount_minor": 1, "currency": "EUR"}}`, "name"},
		{"text/plain", "text/plain", `{"sku": "ABC", "name": "x", "price": {"amount_minor": 1, "currency": "EUR"}}`, "body"},
		{"empty body", "application/json", ``, "body"},
		{"two objects", "application/json", `{} {}`, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/products", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			_, err := decodeCreate(req)
			var invalid *RequestError
			if !errors.As(err, &invalid) {
				t.Fatalf("decodeCreate = %v, want a *RequestError", err)
			}
			for _, fe := range invalid.Errors {
				if fe.Field == tt.field {
					return
				}
			}
			t.Errorf("errors %+v do not name %q", invalid.Errors, tt.field)
		})
	}
}
