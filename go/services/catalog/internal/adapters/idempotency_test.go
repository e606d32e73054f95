package adapters_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
)

// TestCreateProductOnce drives app.Catalog.CreateProductOnce over every store: the key, the
// product and its outbox row commit together, a retry replays, a concurrent duplicate waits
// and replays, and a failed create stores nothing.
func TestCreateProductOnce(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"memory":      func(*testing.T) string { return "memory" },
		"sqlite file": func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "catalog.db") },
		"postgres":    func(t *testing.T) string { return postgres.NewDatabase(t) },
	}
	for name, spec := range stores {
		t.Run(name, func(t *testing.T) {
			open := func(t *testing.T) (adapters.Store, *app.Catalog) {
				store, err := adapters.Open(t.Context(), spec(t))
				if err != nil {
					t.Fatal(err)
				}
				closeOnCleanup(t, store)
				catalog, err := app.NewCatalog(app.Config{UnitOfWork: store})
				if err != nil {
					t.Fatal(err)
				}
				return store, catalog
			}
			t.Run("a retry replays the first answer", func(t *testing.T) { testReplay(t, open) })
			t.Run("another request is a conflict", func(t *testing.T) { testConflict(t, open) })
			t.Run("a failed create stores no key", func(t *testing.T) { testFailureNotStored(t, open) })
			t.Run("concurrent duplicates make one product", func(t *testing.T) { testConcurrent(t, open) })
		})
	}
}

type openCatalog func(t *testing.T) (adapters.Store, *app.Catalog)

func keyedRequest(t *testing.T, key, sku, fingerprint string) app.IdempotentRequest {
	t.Helper()
	price, err := domain.NewMoney(1250, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return app.IdempotentRequest{Key: key, Fingerprint: fingerprint, Product: app.NewProduct{SKU: domain.SKU(sku), Name: "Mug", Price: price}}
}

// render answers like the HTTP edge would, with the product id in the body.
func render(p domain.Product) (app.StoredAnswer, error) {
	return app.StoredAnswer{Status: 201, Location: "/products/" + string(p.ID()), Body: []byte(`{"id":"` + string(p.ID()) + `"}`)}, nil
}

func counts(t *testing.T, store adapters.Store) (products, events int) {
	t.Helper()
	err := store.WithinTx(t.Context(), func(ctx context.Context, tx app.Tx) error {
		list, err := tx.Products().List(ctx)
		products = len(list)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	events, err = store.OutboxLag(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return products, events
}

func testReplay(t *testing.T, open openCatalog) {
	store, catalog := open(t)
	req := keyedRequest(t, "key-replay-1", "MUG-1", "fp-1")
	first, err := catalog.CreateProductOnce(t.Context(), req, render)
	if err != nil {
		t.Fatal(err)
	}
	again, err := catalog.CreateProductOnce(t.Context(), req, render)
	if err != nil {
		t.Fatal(err)
	}
	if again.Status != first.Status || again.Location != first.Location || !bytes.Equal(again.Body, first.Body) {
		t.Errorf("replay = %+v, want the first answer %+v", again, first)
	}
	if products, events := counts(t, store); products != 1 || events != 1 {
		t.Errorf("after a replay: %d products and %d outbox events, want 1 and 1", products, events)
	}
}

func testConflict(t *testing.T, open openCatalog) {
	store, catalog := open(t)
	if _, err := catalog.CreateProductOnce(t.Context(), keyedRequest(t, "key-conflict", "MUG-1", "fp-1"), render); err != nil {
		t.Fatal(err)
	}
	_, err := catalog.CreateProductOnce(t.Context(), keyedRequest(t, "key-conflict", "MUG-2", "fp-2"), render)
	if !errors.Is(err, domain.ErrIdempotencyConflict) {
		t.Fatalf("same key, other request: %v, want ErrIdempotencyConflict", err)
	}
	if products, events := counts(t, store); products != 1 || events != 1 {
		t.Errorf("after a conflict: %d products and %d outbox events, want 1 and 1", products, events)
	}
}

func testFailureNotStored(t *testing.T, open openCatalog) {
	store, catalog := open(t)
	if _, err := catalog.CreateProductOnce(t.Context(), keyedRequest(t, "key-first-one", "MUG-1", "fp-1"), render); err != nil {
		t.Fatal(err)
	}
	// A taken SKU rolls the whole transaction back, the key's claim with it...
	_, err := catalog.CreateProductOnce(t.Context(), keyedRequest(t, "key-second-1", "MUG-1", "fp-2"), render)
	if !errors.Is(err, domain.ErrSKUAlreadyExists) {
		t.Fatalf("taken SKU: %v, want ErrSKUAlreadyExists", err)
	}
	// ...so the corrected retry with the same key creates its product.
	answer, err := catalog.CreateProductOnce(t.Context(), keyedRequest(t, "key-second-1", "MUG-2", "fp-3"), render)
	if err != nil || answer.Status != 201 {
		t.Fatalf("corrected retry: %+v, %v; want a 201", answer, err)
	}
	if products, events := counts(t, store); products != 2 || events != 2 {
		t.Errorf("%d products and %d outbox events, want 2 and 2", products, events)
	}
}

func testConcurrent(t *testing.T, open openCatalog) {
	store, catalog := open(t)
	const n = 8
	answers := make([]app.StoredAnswer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			answers[i], errs[i] = catalog.CreateProductOnce(t.Context(), keyedRequest(t, "key-concurrent", "MUG-1", "fp-1"), render)
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if !bytes.Equal(answers[i].Body, answers[0].Body) {
			t.Errorf("request %d answered %s, request 0 %s: want one answer", i, answers[i].Body, answers[0].Body)
		}
	}
	if products, events := counts(t, store); products != 1 || events != 1 {
		t.Errorf("%d concurrent duplicates: %d products and %d outbox events, want 1 and 1", n, products, events)
	}
}
