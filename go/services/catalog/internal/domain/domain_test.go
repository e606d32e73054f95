package domain_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"languagetracks.example/go/services/catalog/internal/domain"
)

func TestNewMoney(t *testing.T) {
	tests := []struct {
		name     string
		amount   int64
		currency string
		wantErrs []error
	}{
		{"a price", 1250, "EUR", nil},
		{"zero", 0, "USD", nil},
		{"the largest int64", domain.MaxAmountMinor, "JPY", nil},
		{"a negative amount", -1, "EUR", []error{domain.ErrNegativeAmount}},
		{"a lower-case currency", 1, "eur", []error{domain.ErrCurrencyFormat}},
		{"a two-letter currency", 1, "EU", []error{domain.ErrCurrencyFormat}},
		{"a currency with a newline", 1, "EUR\n", []error{domain.ErrCurrencyFormat}},
		{"both wrong", -5, "", []error{domain.ErrNegativeAmount, domain.ErrCurrencyFormat}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			money, err := domain.NewMoney(tt.amount, tt.currency)
			if len(tt.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("NewMoney(%d, %q) = %v, want no error", tt.amount, tt.currency, err)
				}
				if money.AmountMinor() != tt.amount || money.Currency() != tt.currency {
					t.Errorf("NewMoney(%d, %q) = %+v", tt.amount, tt.currency, money)
				}
				return
			}
			for _, want := range tt.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("NewMoney(%d, %q) error = %v, want it to wrap %v", tt.amount, tt.currency, err, want)
				}
			}
			var invalid *domain.ValidationError
			if !errors.As(err, &invalid) {
				t.Errorf("NewMoney error %v is not a *ValidationError", err)
			}
		})
	}
}

func TestNewSKU(t *testing.T) {
	tests := []struct {
		raw string
		ok  bool
	}{
		{"MUG-001", true},
		{"ABC", true},
		{strings.Repeat("A", 32), true},
		{"AB", false},
		{strings.Repeat("A", 33), false},
		{"mug-001", false},
		{"MUG 001", false},
		{"MUG-001\n", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			sku, err := domain.NewSKU(tt.raw)
			if tt.ok != (err == nil) {
				t.Fatalf("NewSKU(%q) error = %v, want ok=%v", tt.raw, err, tt.ok)
			}
			if tt.ok && string(sku) != tt.raw {
				t.Errorf("NewSKU(%q) = %q", tt.raw, sku)
			}
			if !tt.ok && !errors.Is(err, domain.ErrSKUFormat) {
				t.Errorf("NewSKU(%q) error = %v, want ErrSKUFormat", tt.raw, err)
			}
		})
	}
}

func TestNewProductName(t *testing.T) {
	tests := []struct {
		name, raw, want string
		ok              bool
	}{
		{"plain", "Mug", "Mug", true},
		{"trimmed", "  Mug \t\n", "Mug", true},
		{"200 code points of 3 bytes each", strings.Repeat("€", 200), strings.Repeat("€", 200), true},
		{"201 code points", strings.Repeat("x", 201), "", false},
		{"blank", "   ", "", false},
		{"empty", "", "", false},
		{"no-break spaces only", "\u00a0\u00a0", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NewProductName(tt.raw)
			if tt.ok != (err == nil) {
				t.Fatalf("NewProductName(%q) error = %v, want ok=%v", tt.raw, err, tt.ok)
			}
			if string(got) != tt.want {
				t.Errorf("NewProductName(%q) = %q, want %q", tt.raw, got, tt.want)
			}
			if !tt.ok && !errors.Is(err, domain.ErrNameLength) {
				t.Errorf("NewProductName(%q) error = %v, want ErrNameLength", tt.raw, err)
			}
		})
	}
}

var canonicalV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestProductIDs(t *testing.T) {
	seen := map[domain.ProductID]bool{}
	for range 100 {
		id := domain.NewProductID()
		if !canonicalV4.MatchString(string(id)) {
			t.Fatalf("NewProductID() = %q, not a canonical version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewProductID() repeated %q", id)
		}
		seen[id] = true
		if parsed, err := domain.ParseProductID(string(id)); err != nil || parsed != id {
			t.Fatalf("ParseProductID(%q) = %q, %v", id, parsed, err)
		}
	}
	for _, raw := range []string{"", "not-a-uuid", "0B9B7C55-4E5F-4E84-9A57-2F5A3C1D6E70", "{0b9b7c55-4e5f-4e84-9a57-2f5a3c1d6e70}", "0b9b7c554e5f4e849a572f5a3c1d6e70", "0b9b7c55-4e5f-4e84-9a57-2f5a3c1d6e7g"} {
		if _, err := domain.ParseProductID(raw); !errors.Is(err, domain.ErrProductNotFound) {
			t.Errorf("ParseProductID(%q) error = %v, want ErrProductNotFound", raw, err)
		}
	}
}

func TestProductRevised(t *testing.T) {
	price, _ := domain.NewMoney(100, "EUR")
	newPrice, _ := domain.NewMoney(200, "USD")
	p := domain.NewProduct("id-1", "MUG-1", "Mug", price)
	r := p.Revised("Cup", newPrice)
	if r.ID() != p.ID() || r.SKU() != p.SKU() || r.Name() != "Cup" || r.Price() != newPrice {
		t.Errorf("Revised = %+v", r)
	}
	if p.Name() != "Mug" || p.Price() != price {
		t.Errorf("Revised changed the original: %+v", p)
	}
}
