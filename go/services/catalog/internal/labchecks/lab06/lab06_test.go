// Package lab06 holds the acceptance tests of lab 6 (labs/06-go-crud): `pnpm lab 6 check` runs
// them. They live inside the module because Go tests cannot import internal packages from
// outside it; no lab owns this file, and the reference passes it. Each failure names the
// file and the TODO(lab 6) step it is about.
package lab06

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/ports"
)

const (
	moneyTODO    = "(see TODO(lab 6) in internal/domain/money.go, README step 1)"
	productTODO  = "(see TODO(lab 6) in internal/domain/product.go, README step 2)"
	decodeTODO   = "(see TODO(lab 6) in internal/ports/decode.go, README step 3)"
	problemsTODO = "(see TODO(lab 6) in internal/ports/problems.go, README step 4)"
)

func TestMoneyRules(t *testing.T) {
	tests := []struct {
		name     string
		amount   int64
		currency string
		want     error // nil: valid
	}{
		{"12.50 EUR", 1250, "EUR", nil},
		{"zero", 0, "USD", nil},
		{"a negative amount", -1, "EUR", domain.ErrNegativeAmount},
		{"a lower-case currency", 100, "eur", domain.ErrCurrencyFormat},
		{"a four-letter currency", 100, "EURO", domain.ErrCurrencyFormat},
		{"an empty currency", 100, "", domain.ErrCurrencyFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			money, err := domain.NewMoney(tt.amount, tt.currency)
			if tt.want == nil {
				if err != nil || money.AmountMinor() != tt.amount || money.Currency() != tt.currency {
					t.Errorf("NewMoney(%d, %q) = %+v, %v; want a valid Money %s", tt.amount, tt.currency, money, err, moneyTODO)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("NewMoney(%d, %q) error = %v; want one wrapping %q %s", tt.amount, tt.currency, err, tt.want, moneyTODO)
			}
			var invalid *domain.ValidationError
			if err != nil && !errors.As(err, &invalid) {
				t.Errorf("NewMoney(%d, %q) error %v must be a *domain.ValidationError (use invalid(...)) %s", tt.amount, tt.currency, err, moneyTODO)
			}
		})
	}
	if _, err := domain.NewMoney(-1, "eur"); !errors.Is(err, domain.ErrNegativeAmount) || !errors.Is(err, domain.ErrCurrencyFormat) {
		t.Errorf("NewMoney(-1, \"eur\") error = %v; want BOTH broken rules, joined with errors.Join %s", err, moneyTODO)
	}
}

func TestProductNameRules(t *testing.T) {
	tests := []struct {
		name, raw, want string // want "": invalid
	}{
		{"a plain name", "Mug", "Mug"},
		{"surrounding whitespace is trimmed", "  Mug \t", "Mug"},
		{"200 euro signs fit (code points, not bytes)", strings.Repeat("€", 200), strings.Repeat("€", 200)},
		{"201 characters are too many", strings.Repeat("x", 201), ""},
		{"a blank name is empty once trimmed", "   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NewProductName(tt.raw)
			if tt.want == "" {
				if !errors.Is(err, domain.ErrNameLength) {
					t.Errorf("NewProductName(%.20q…) = %.20q, %v; want ErrNameLength %s", tt.raw, got, err, productTODO)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("NewProductName(%.20q…) = %.20q, %v; want %.20q %s", tt.raw, got, err, tt.want, productTODO)
			}
		})
	}
}

func newServer(t *testing.T, products ports.ProductService) http.Handler {
	t.Helper()
	if products == nil {
		catalog, err := app.NewCatalog(app.Config{Repository: adapters.NewMemoryProductRepository()})
		if err != nil {
			t.Fatal(err)
		}
		products = catalog
	}
	server, err := ports.NewServer(ports.ServerConfig{Products: products, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return server
}

type answer struct {
	status int
	body   map[string]any
	raw    string
}

func send(t *testing.T, h http.Handler, method, target, body string) answer {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req := httptest.NewRequestWithContext(context.Background(), method, target, reader)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &a.body)
	return a
}

func (a answer) names(field string) bool {
	list, _ := a.body["errors"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["field"] == field {
			return true
		}
	}
	return false
}

func TestStrictBodies(t *testing.T) {
	h := newServer(t, nil)
	body := func(price string, extra string) string {
		return `{"sku": "MUG-001", "name": "Mug", "price": ` + price + extra + `}`
	}
	tests := []struct {
		name, body, field string
	}{
		{"a fractional amount (12.5)", body(`{"amount_minor": 12.5, "currency": "EUR"}`, ""), "price.amount_minor"},
		{"a float amount (12.0)", body(`{"amount_minor": 12.0, "currency": "EUR"}`, ""), "price.amount_minor"},
		{"a boolean amount", body(`{"amount_minor": true, "currency": "EUR"}`, ""), "price.amount_minor"},
		{"an amount in a string", body(`{"amount_minor": "12", "currency": "EUR"}`, ""), "price.amount_minor"},
		{"an amount beyond int64", body(`{"amount_minor": 9223372036854775808, "currency": "EUR"}`, ""), "price.amount_minor"},
		{"a negative amount", body(`{"amount_minor": -1, "currency": "EUR"}`, ""), "price.amount_minor"},
		{"an unknown field", body(`{"amount_minor": 1, "currency": "EUR"}`, `, "colour": "blue"`), "colour"},
		{"an unknown field inside price", body(`{"amount_minor": 1, "currency": "EUR", "colour": "blue"}`, ""), "price.colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, h, http.MethodPost, "/products", tt.body)
			if got.status != http.StatusUnprocessableEntity || !got.names(tt.field) {
				todo := decodeTODO
				if strings.Contains(tt.name, "negative") {
					todo = moneyTODO
				}
				t.Errorf("POST /products with %s = %d %s; want 422 naming %q %s", tt.name, got.status, got.raw, tt.field, todo)
			}
		})
	}
	if got := send(t, h, http.MethodPost, "/products", body(`{"amount_minor": 9223372036854775807, "currency": "EUR"}`, "")); got.status != http.StatusCreated {
		t.Errorf("POST /products with the largest int64 amount = %d %s; want 201 %s", got.status, got.raw, decodeTODO)
	}
}

// failing fails every call with an error whose text must stay in the server log.
type failing struct{ ports.ProductService }

func (failing) Products(context.Context) ([]domain.Product, error) {
	return nil, errors.New("disk full at /var/lib/catalog/secret")
}

func TestErrorsMappedAtTheEdge(t *testing.T) {
	h := newServer(t, nil)
	created := send(t, h, http.MethodPost, "/products", `{"sku": "MUG-001", "name": "Mug", "price": {"amount_minor": 1, "currency": "EUR"}}`)
	if created.status != http.StatusCreated {
		t.Fatalf("POST /products = %d %s; want 201 %s", created.status, created.raw, problemsTODO)
	}
	tests := []struct {
		name, method, target, body string
		status                     int
		code                       string
	}{
		{"GET of an unknown id", http.MethodGet, "/products/00000000-0000-4000-8000-000000000000", "", http.StatusNotFound, "product_not_found"},
		{"GET of a malformed id", http.MethodGet, "/products/not-a-uuid", "", http.StatusNotFound, "product_not_found"},
		{"DELETE of an unknown id", http.MethodDelete, "/products/00000000-0000-4000-8000-000000000000", "", http.StatusNotFound, "product_not_found"},
		{"a second POST of the same sku", http.MethodPost, "/products", `{"sku": "MUG-001", "name": "Mug", "price": {"amount_minor": 1, "currency": "EUR"}}`, http.StatusConflict, "sku_already_exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, h, tt.method, tt.target, tt.body)
			if got.status != tt.status || got.body["code"] != tt.code || got.body["status"] != float64(tt.status) {
				t.Errorf("%s = %d %s; want %d with code %q %s", tt.name, got.status, got.raw, tt.status, tt.code, problemsTODO)
			}
		})
	}
	t.Run("a 500 never shows the error text", func(t *testing.T) {
		got := send(t, newServer(t, failing{}), http.MethodGet, "/products", "")
		if got.status != http.StatusInternalServerError || got.body["code"] != "internal" || strings.Contains(got.raw, "secret") {
			t.Errorf("an unexpected error = %d %s; want 500 code \"internal\" without the error's text %s", got.status, got.raw, problemsTODO)
		}
	})
}
