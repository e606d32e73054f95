package ports

import "languagetracks.example/go/services/catalog/internal/domain"

// DTOs describe the wire, not the domain: a response shape can change without touching the
// domain, and the domain's unexported fields never leak into JSON by accident.

// productDTO is a product as clients see it.
type productDTO struct {
	ID    string   `json:"id"`
	SKU   string   `json:"sku"`
	Name  string   `json:"name"`
	Price moneyDTO `json:"price"`
}

// moneyDTO is a price as clients see it.
type moneyDTO struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// productListDTO is GET /products: an object, so fields (paging) can be added later.
type productListDTO struct {
	Items []productDTO `json:"items"`
}

// statusDTO is the body of /healthz and /readyz; Reason says why /readyz is "not_ready".
type statusDTO struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

func newProductDTO(p domain.Product) productDTO {
	return productDTO{
		ID:   string(p.ID()),
		SKU:  string(p.SKU()),
		Name: string(p.Name()),
		Price: moneyDTO{
			AmountMinor: p.Price().AmountMinor(),
			Currency:    p.Price().Currency(),
		},
	}
}
