package adapters_test

import (
	"context"
	"errors"
	"testing"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
)

var _ app.ProductRepository = (*adapters.MemoryProductRepository)(nil)

func product(t *testing.T, id domain.ProductID, sku domain.SKU) domain.Product {
	t.Helper()
	price, err := domain.NewMoney(100, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return domain.NewProduct(id, sku, "Mug", price)
}

func TestMemoryRepository(t *testing.T) {
	ctx := context.Background()
	repo := adapters.NewMemoryProductRepository()
	for _, p := range []domain.Product{product(t, "id-c", "CCC"), product(t, "id-a", "AAA"), product(t, "id-b", "BBB")} {
		if err := repo.Add(ctx, p); err != nil {
			t.Fatalf("Add(%s) = %v", p.SKU(), err)
		}
	}
	if err := repo.Add(ctx, product(t, "id-x", "AAA")); !errors.Is(err, domain.ErrSKUAlreadyExists) {
		t.Errorf("Add of a taken sku = %v, want ErrSKUAlreadyExists", err)
	}
	list, err := repo.List(ctx)
	if err != nil || len(list) != 3 || list[0].SKU() != "AAA" || list[1].SKU() != "BBB" || list[2].SKU() != "CCC" {
		t.Fatalf("List = %v, %v; want AAA, BBB, CCC", list, err)
	}
	got, err := repo.Get(ctx, "id-b")
	if err != nil || got.SKU() != "BBB" {
		t.Errorf("Get(id-b) = %v, %v", got, err)
	}
	if err := repo.Update(ctx, got.Revised("Cup", got.Price())); err != nil {
		t.Errorf("Update = %v", err)
	}
	if got, _ := repo.Get(ctx, "id-b"); got.Name() != "Cup" {
		t.Errorf("after Update, name = %q", got.Name())
	}
	if err := repo.Remove(ctx, "id-a"); err != nil {
		t.Errorf("Remove = %v", err)
	}
	if err := repo.Add(ctx, product(t, "id-a2", "AAA")); err != nil {
		t.Errorf("the sku of a removed product must be free again: %v", err)
	}
	for name, err := range map[string]error{
		"Get":    func() error { _, err := repo.Get(ctx, "nope"); return err }(),
		"Update": repo.Update(ctx, product(t, "nope", "NOPE")),
		"Remove": repo.Remove(ctx, "id-a"),
	} {
		if !errors.Is(err, domain.ErrProductNotFound) {
			t.Errorf("%s of an unknown id = %v, want ErrProductNotFound", name, err)
		}
	}
}
