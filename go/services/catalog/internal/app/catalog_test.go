package app_test

import (
	"context"
	"errors"
	"testing"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
)

func TestNewCatalogNeedsARepository(t *testing.T) {
	if _, err := app.NewCatalog(app.Config{}); !errors.Is(err, app.ErrNoRepository) {
		t.Fatalf("NewCatalog(no repository) = %v, want ErrNoRepository", err)
	}
}

func TestCatalogUseCases(t *testing.T) {
	ctx := context.Background()
	catalog, err := app.NewCatalog(app.Config{
		Repository: adapters.NewMemoryProductRepository(),
		NewID:      func() domain.ProductID { return "fixed-id" },
	})
	if err != nil {
		t.Fatal(err)
	}
	price, _ := domain.NewMoney(100, "EUR")
	created, err := catalog.CreateProduct(ctx, app.NewProduct{SKU: "MUG-1", Name: "Mug", Price: price})
	if err != nil || created.ID() != "fixed-id" {
		t.Fatalf("CreateProduct = %v, %v", created, err)
	}
	if _, err := catalog.CreateProduct(ctx, app.NewProduct{SKU: "MUG-1", Name: "Mug", Price: price}); !errors.Is(err, domain.ErrSKUAlreadyExists) {
		t.Errorf("second CreateProduct = %v, want ErrSKUAlreadyExists", err)
	}
	revised, err := catalog.ReviseProduct(ctx, "fixed-id", "Cup", price)
	if err != nil || revised.Name() != "Cup" || revised.SKU() != "MUG-1" {
		t.Errorf("ReviseProduct = %v, %v", revised, err)
	}
	if _, err := catalog.ReviseProduct(ctx, "nope", "Cup", price); !errors.Is(err, domain.ErrProductNotFound) {
		t.Errorf("ReviseProduct(unknown) = %v, want ErrProductNotFound", err)
	}
	if err := catalog.DeleteProduct(ctx, "fixed-id"); err != nil {
		t.Errorf("DeleteProduct = %v", err)
	}
	if _, err := catalog.Product(ctx, "fixed-id"); !errors.Is(err, domain.ErrProductNotFound) {
		t.Errorf("Product after delete = %v, want ErrProductNotFound", err)
	}
	if list, err := catalog.Products(ctx); err != nil || len(list) != 0 {
		t.Errorf("Products = %v, %v", list, err)
	}
}
