// Package app holds the catalog's use cases: create, read, list, revise and delete products.
// It knows the domain and the ports it needs (ProductRepository, declared here, beside its
// only consumer), and nothing about HTTP or about how products are stored.
package app

import (
	"context"
	"errors"
	"fmt"

	"languagetracks.example/go/services/catalog/internal/domain"
)

// ProductRepository is what the catalog needs from storage. It is declared here, where it is
// used, not beside its implementations: Go interfaces are satisfied implicitly, so the
// consumer says what it needs and any adapter with these methods fits.
//
// Errors: Get, Update and Remove return an error wrapping domain.ErrProductNotFound for an
// unknown id; Add returns one wrapping domain.ErrSKUAlreadyExists for a taken SKU.
type ProductRepository interface {
	Add(ctx context.Context, product domain.Product) error
	Get(ctx context.Context, id domain.ProductID) (domain.Product, error)
	// List returns every product sorted by SKU.
	List(ctx context.Context) ([]domain.Product, error)
	Update(ctx context.Context, product domain.Product) error
	Remove(ctx context.Context, id domain.ProductID) error
}

// Config is what NewCatalog needs.
type Config struct {
	// Repository stores the products (required).
	Repository ProductRepository
	// NewID issues product ids; nil means domain.NewProductID. Tests pass a fixed sequence.
	NewID func() domain.ProductID
}

// Catalog runs the product use cases.
type Catalog struct {
	repository ProductRepository
	newID      func() domain.ProductID
}

// ErrNoRepository is returned by NewCatalog when Config.Repository is nil.
var ErrNoRepository = errors.New("app: Config.Repository is required")

// NewCatalog returns a catalog over cfg.Repository.
func NewCatalog(cfg Config) (*Catalog, error) {
	if cfg.Repository == nil {
		return nil, ErrNoRepository
	}
	newID := cfg.NewID
	if newID == nil {
		newID = domain.NewProductID
	}
	return &Catalog{repository: cfg.Repository, newID: newID}, nil
}

// NewProduct is the input of CreateProduct: values the edge has already validated.
type NewProduct struct {
	SKU   domain.SKU
	Name  domain.ProductName
	Price domain.Money
}

// CreateProduct stores a new product with a fresh id.
func (c *Catalog) CreateProduct(ctx context.Context, in NewProduct) (domain.Product, error) {
	product := domain.NewProduct(c.newID(), in.SKU, in.Name, in.Price)
	if err := c.repository.Add(ctx, product); err != nil {
		return domain.Product{}, fmt.Errorf("create product: %w", err)
	}
	return product, nil
}

// Product returns the product with this id.
func (c *Catalog) Product(ctx context.Context, id domain.ProductID) (domain.Product, error) {
	product, err := c.repository.Get(ctx, id)
	if err != nil {
		return domain.Product{}, fmt.Errorf("get product: %w", err)
	}
	return product, nil
}

// Products returns every product, sorted by SKU.
func (c *Catalog) Products(ctx context.Context) ([]domain.Product, error) {
	products, err := c.repository.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	return products, nil
}

// ReviseProduct changes the name and price of a product; its id and SKU are kept.
func (c *Catalog) ReviseProduct(ctx context.Context, id domain.ProductID, name domain.ProductName, price domain.Money) (domain.Product, error) {
	current, err := c.repository.Get(ctx, id)
	if err != nil {
		return domain.Product{}, fmt.Errorf("revise product: %w", err)
	}
	revised := current.Revised(name, price)
	if err := c.repository.Update(ctx, revised); err != nil {
		return domain.Product{}, fmt.Errorf("revise product: %w", err)
	}
	return revised, nil
}

// DeleteProduct removes the product with this id.
func (c *Catalog) DeleteProduct(ctx context.Context, id domain.ProductID) error {
	if err := c.repository.Remove(ctx, id); err != nil {
		return fmt.Errorf("delete product: %w", err)
	}
	return nil
}
