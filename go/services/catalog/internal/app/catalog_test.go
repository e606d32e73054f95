package app_test

import (
	"context"
	"errors"
	"testing"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
)

func TestNewCatalogNeedsARepository(t *testing.T) {
	if _, err := app.NewCatalog(app.Config{}); !errors.Is(err, app.ErrNoRepository) {
		t.Fatalf("NewCatalog(no repository) = %v, want ErrNoRepository", err)
	}
	if _, err := app.NewCatalog(app.Config{Repository: onlyARepository{}}); !errors.Is(err, app.ErrNoRepository) {
		t.Fatalf("NewCatalog(a repository that is no unit of work) = %v, want ErrNoRepository", err)
	}
}

// onlyARepository is a ProductRepository without transactions: not enough for the catalog.
type onlyARepository struct{ app.ProductRepository }

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

// failingOutbox wraps a unit of work so that its outbox refuses every event.
type failingOutbox struct{ inner app.UnitOfWork }

type failingOutboxTx struct{ app.Tx }

var errOutbox = errors.New("outbox full")

func (f failingOutbox) WithinTx(ctx context.Context, fn func(ctx context.Context, tx app.Tx) error) error {
	return f.inner.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error { return fn(ctx, failingOutboxTx{tx}) })
}

func (failingOutboxTx) Outbox() app.OutboxWriter { return failingWriter{} }

type failingWriter struct{}

func (failingWriter) Append(context.Context, outbox.Message) error { return errOutbox }

func TestWritesRecordTheirEventInTheSameUnitOfWork(t *testing.T) {
	ctx := context.Background()
	store := adapters.NewMemoryProductRepository()
	price, _ := domain.NewMoney(100, "EUR")
	seeded, err := app.NewCatalog(app.Config{UnitOfWork: store, NewID: func() domain.ProductID { return "kept" }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seeded.CreateProduct(ctx, app.NewProduct{SKU: "KEPT", Name: "Mug", Price: price}); err != nil {
		t.Fatal(err)
	}
	broken, err := app.NewCatalog(app.Config{UnitOfWork: failingOutbox{store}, NewID: func() domain.ProductID { return "lost" }})
	if err != nil {
		t.Fatal(err)
	}
	writes := map[string]func() error{
		"CreateProduct": func() error {
			_, err := broken.CreateProduct(ctx, app.NewProduct{SKU: "LOST", Name: "Mug", Price: price})
			return err
		},
		"ReviseProduct": func() error { _, err := broken.ReviseProduct(ctx, "kept", "Renamed", price); return err },
		"DeleteProduct": func() error { return broken.DeleteProduct(ctx, "kept") },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, errOutbox) {
			t.Errorf("%s with a failing outbox = %v, want the outbox error", name, err)
		}
	}
	products, err := seeded.Products(ctx)
	if err != nil || len(products) != 1 || products[0].Name() != "Mug" {
		t.Fatalf("a write whose event failed took effect: %v, %v", products, err)
	}
}
