// Package adapters holds the implementations of the ports the app declares: for now an
// in-memory product repository (SQLite and a unit of work arrive in lab 8).
package adapters

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"languagetracks.example/go/services/catalog/internal/domain"
)

// MemoryProductRepository keeps products in a map guarded by a mutex: safe for concurrent
// requests, lost when the process exits. It satisfies app.ProductRepository.
type MemoryProductRepository struct {
	mu       sync.RWMutex
	products map[domain.ProductID]domain.Product
	skus     map[domain.SKU]domain.ProductID
}

// NewMemoryProductRepository returns an empty repository.
func NewMemoryProductRepository() *MemoryProductRepository {
	return &MemoryProductRepository{
		products: make(map[domain.ProductID]domain.Product),
		skus:     make(map[domain.SKU]domain.ProductID),
	}
}

// Add stores a new product; a taken SKU is domain.ErrSKUAlreadyExists.
func (r *MemoryProductRepository) Add(_ context.Context, product domain.Product) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, taken := r.skus[product.SKU()]; taken {
		return domain.SKUAlreadyExists(product.SKU())
	}
	r.products[product.ID()] = product
	r.skus[product.SKU()] = product.ID()
	return nil
}

// Get returns the product with this id, or domain.ErrProductNotFound.
func (r *MemoryProductRepository) Get(_ context.Context, id domain.ProductID) (domain.Product, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	product, ok := r.products[id]
	if !ok {
		return domain.Product{}, domain.ProductNotFound(id)
	}
	return product, nil
}

// List returns every product sorted by SKU.
func (r *MemoryProductRepository) List(_ context.Context) ([]domain.Product, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	products := make([]domain.Product, 0, len(r.products))
	for _, product := range r.products {
		products = append(products, product)
	}
	slices.SortFunc(products, func(a, b domain.Product) int { return cmp.Compare(a.SKU(), b.SKU()) })
	return products, nil
}

// Update replaces a stored product (same id, same SKU), or returns domain.ErrProductNotFound.
func (r *MemoryProductRepository) Update(_ context.Context, product domain.Product) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.products[product.ID()]; !ok {
		return domain.ProductNotFound(product.ID())
	}
	r.products[product.ID()] = product
	return nil
}

// Remove deletes the product with this id, or returns domain.ErrProductNotFound.
func (r *MemoryProductRepository) Remove(_ context.Context, id domain.ProductID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	product, ok := r.products[id]
	if !ok {
		return domain.ProductNotFound(id)
	}
	delete(r.products, id)
	delete(r.skus, product.SKU())
	return nil
}
