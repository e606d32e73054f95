// Package app holds the catalog's use cases: create, read, list, revise and delete products.
// It knows the domain and the ports it needs, declared here beside their only consumer
// (ProductRepository, OutboxWriter, UnitOfWork), and nothing about HTTP or about how products
// are stored.
//
// Every use case runs in one unit of work: a write and the event that describes it (the
// outbox row) commit together or not at all. Lab 8 is about the write path below.
package app

import (
	"context"
	"errors"
	"fmt"

	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
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

// OutboxWriter records an event in the current transaction (the transactional outbox): the
// relay publishes it once the transaction has committed.
type OutboxWriter interface {
	Append(ctx context.Context, message outbox.Message) error
}

// Tx is what a use case sees inside one unit of work: repositories bound to its transaction.
type Tx interface {
	Products() ProductRepository
	Outbox() OutboxWriter
}

// UnitOfWork runs fn in one transaction. It commits when fn returns nil and returns the
// commit's error; it rolls back when fn returns an error (returned as is) or panics (the
// panic goes on after the rollback). A commit or rollback error is never dropped.
type UnitOfWork interface {
	WithinTx(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
}

// Config is what NewCatalog needs.
type Config struct {
	// UnitOfWork runs each use case in one transaction (required, unless Repository is one).
	UnitOfWork UnitOfWork
	// Repository is the older way to pass storage (labs 6-7): used when UnitOfWork is nil and
	// it also implements UnitOfWork, as the memory adapter does.
	Repository ProductRepository
	// NewID issues product ids; nil means domain.NewProductID. Tests pass a fixed sequence.
	NewID func() domain.ProductID
}

// Catalog runs the product use cases.
type Catalog struct {
	uow   UnitOfWork
	newID func() domain.ProductID
}

// ErrNoRepository is returned by NewCatalog when it has no unit of work.
var ErrNoRepository = errors.New("app: Config.UnitOfWork (or a Repository that is one) is required")

// NewCatalog returns a catalog over cfg.UnitOfWork.
func NewCatalog(cfg Config) (*Catalog, error) {
	uow := cfg.UnitOfWork
	if uow == nil {
		if fromRepository, ok := cfg.Repository.(UnitOfWork); ok {
			uow = fromRepository
		}
	}
	if uow == nil {
		return nil, ErrNoRepository
	}
	newID := cfg.NewID
	if newID == nil {
		newID = domain.NewProductID
	}
	return &Catalog{uow: uow, newID: newID}, nil
}

// NewProduct is the input of CreateProduct: values the edge has already validated.
type NewProduct struct {
	SKU   domain.SKU
	Name  domain.ProductName
	Price domain.Money
}

// CreateProduct stores a new product with a fresh id, and its ProductCreated event.
func (c *Catalog) CreateProduct(ctx context.Context, in NewProduct) (domain.Product, error) {
	product := domain.NewProduct(c.newID(), in.SKU, in.Name, in.Price)
	err := c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {
		// TODO(lab 8) step 3: also record outbox.ProductCreated(product) with tx.Outbox(), in
		// this same transaction, so the product and its event commit together or not at all.
		return tx.Products().Add(ctx, product)
	})
	if err != nil {
		return domain.Product{}, fmt.Errorf("create product: %w", err)
	}
	return product, nil
}

// Product returns the product with this id.
func (c *Catalog) Product(ctx context.Context, id domain.ProductID) (domain.Product, error) {
	var product domain.Product
	err := c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		product, err = tx.Products().Get(ctx, id)
		return err
	})
	if err != nil {
		return domain.Product{}, fmt.Errorf("get product: %w", err)
	}
	return product, nil
}

// Products returns every product, sorted by SKU.
func (c *Catalog) Products(ctx context.Context) ([]domain.Product, error) {
	var products []domain.Product
	err := c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		products, err = tx.Products().List(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	return products, nil
}

// ReviseProduct changes the name and price of a product, and records ProductUpdated; its id
// and SKU are kept.
func (c *Catalog) ReviseProduct(ctx context.Context, id domain.ProductID, name domain.ProductName, price domain.Money) (domain.Product, error) {
	var revised domain.Product
	err := c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {
		current, err := tx.Products().Get(ctx, id)
		if err != nil {
			return err
		}
		revised = current.Revised(name, price)
		// TODO(lab 8) step 3: and record outbox.ProductUpdated(revised) here.
		return tx.Products().Update(ctx, revised)
	})
	if err != nil {
		return domain.Product{}, fmt.Errorf("revise product: %w", err)
	}
	return revised, nil
}

// DeleteProduct removes the product with this id, and records ProductDeleted.
func (c *Catalog) DeleteProduct(ctx context.Context, id domain.ProductID) error {
	err := c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {
		// TODO(lab 8) step 3: and record outbox.ProductDeleted(id) here.
		return tx.Products().Remove(ctx, id)
	})
	if err != nil {
		return fmt.Errorf("delete product: %w", err)
	}
	return nil
}
