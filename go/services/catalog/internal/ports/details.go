package ports

import (
	"context"

	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/fanout"
)

// DetailsService assembles a product's details from its upstreams (lab 7);
// *fanout.Aggregator satisfies it. It never fails: a missing part is listed as degraded.
type DetailsService interface {
	Fetch(ctx context.Context, productID string) fanout.Details
}

// productDetailsDTO is GET /products/{id}: the product's contract fields, unchanged, plus the
// four additive fields of the Python twin ("Product details" in its README).
type productDetailsDTO struct {
	productDTO
	Pricing   *fanout.PricingInfo   `json:"pricing"`
	Inventory *fanout.InventoryInfo `json:"inventory"`
	Reviews   *fanout.ReviewSummary `json:"reviews"`
	Degraded  []fanout.Degraded     `json:"degraded"`
}

func newProductDetailsDTO(p domain.Product, d fanout.Details) productDetailsDTO {
	degraded := d.Degraded
	if degraded == nil {
		degraded = []fanout.Degraded{}
	}
	return productDetailsDTO{productDTO: newProductDTO(p), Pricing: d.Pricing, Inventory: d.Inventory, Reviews: d.Reviews, Degraded: degraded}
}
