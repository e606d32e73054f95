// Package adapters holds the implementations of the ports the app and the outbox declare:
// an in-memory store (memory.go: fast, for tests and the labs before lab 8), and one SQL store
// over database/sql (sql.go) for SQLite (the embedded default, pure Go) and PostgreSQL (pgx),
// with its unit of work (unit_of_work.go) and the embedded migrations it applies at start.
package adapters

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"

	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
)

// memoryState is everything the memory store keeps; a transaction works on a copy of it.
type memoryState struct {
	products  map[domain.ProductID]domain.Product
	skus      map[domain.SKU]domain.ProductID
	outbox    []memoryMessage
	processed map[[2]string]bool
	feed      map[string]int       // product_feed: product id -> applied
	keys      map[string]memoryKey // idempotency_keys (idempotency.go)
}

type memoryMessage struct {
	message outbox.Message
	sent    bool
}

func (s *memoryState) clone() *memoryState {
	return &memoryState{
		products:  maps.Clone(s.products),
		skus:      maps.Clone(s.skus),
		outbox:    slices.Clone(s.outbox),
		processed: maps.Clone(s.processed),
		feed:      maps.Clone(s.feed),
		keys:      maps.Clone(s.keys),
	}
}

// MemoryProductRepository keeps products, outbox messages and processed messages in maps: safe
// for concurrent requests, lost when the process exits. Transactions are serialized by one
// mutex and work on a copy that replaces the state only on commit, so a failed unit of work
// leaves nothing behind. It satisfies app.ProductRepository (each call its own transaction),
// app.UnitOfWork, outbox.RelayStore and outbox.InboxStore.
type MemoryProductRepository struct {
	mu    sync.Mutex
	state *memoryState
}

// NewMemoryProductRepository returns an empty store.
func NewMemoryProductRepository() *MemoryProductRepository {
	return &MemoryProductRepository{state: &memoryState{
		products:  make(map[domain.ProductID]domain.Product),
		skus:      make(map[domain.SKU]domain.ProductID),
		processed: make(map[[2]string]bool),
		feed:      make(map[string]int),
		keys:      make(map[string]memoryKey),
	}}
}

// within runs fn on a copy of the state and keeps the copy only if fn returns nil. A panic
// in fn leaves the state as it was (the deferred unlock runs, the copy is dropped).
func (r *MemoryProductRepository) within(ctx context.Context, fn func(*memoryState) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	next := r.state.clone()
	if err := fn(next); err != nil {
		return err
	}
	r.state = next
	return nil
}

// WithinTx implements app.UnitOfWork.
func (r *MemoryProductRepository) WithinTx(ctx context.Context, fn func(ctx context.Context, tx app.Tx) error) error {
	return r.within(ctx, func(s *memoryState) error { return fn(ctx, memoryTx{s}) })
}

// WithinRelayTx implements outbox.RelayStore.
func (r *MemoryProductRepository) WithinRelayTx(ctx context.Context, fn func(ctx context.Context, tx outbox.RelayTx) error) error {
	return r.within(ctx, func(s *memoryState) error { return fn(ctx, memoryTx{s}) })
}

// WithinInboxTx implements outbox.InboxStore.
func (r *MemoryProductRepository) WithinInboxTx(ctx context.Context, fn func(ctx context.Context, tx outbox.InboxTx) error) error {
	return r.within(ctx, func(s *memoryState) error { return fn(ctx, memoryTx{s}) })
}

// OutboxLag counts the messages not yet relayed, up to limit.
func (r *MemoryProductRepository) OutboxLag(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.state.outbox {
		if n == limit {
			break
		}
		if !m.sent {
			n++
		}
	}
	return n, nil
}

// Add stores a new product; a taken SKU is domain.ErrSKUAlreadyExists.
func (r *MemoryProductRepository) Add(ctx context.Context, product domain.Product) error {
	return r.within(ctx, func(s *memoryState) error { return memoryTx{s}.Add(ctx, product) })
}

// Get returns the product with this id, or domain.ErrProductNotFound.
func (r *MemoryProductRepository) Get(ctx context.Context, id domain.ProductID) (domain.Product, error) {
	var product domain.Product
	err := r.within(ctx, func(s *memoryState) error {
		var err error
		product, err = memoryTx{s}.Get(ctx, id)
		return err
	})
	return product, err
}

// List returns every product sorted by SKU.
func (r *MemoryProductRepository) List(ctx context.Context) ([]domain.Product, error) {
	var products []domain.Product
	err := r.within(ctx, func(s *memoryState) error {
		var err error
		products, err = memoryTx{s}.List(ctx)
		return err
	})
	return products, err
}

// Update replaces a stored product (same id, same SKU), or returns domain.ErrProductNotFound.
func (r *MemoryProductRepository) Update(ctx context.Context, product domain.Product) error {
	return r.within(ctx, func(s *memoryState) error { return memoryTx{s}.Update(ctx, product) })
}

// Remove deletes the product with this id, or returns domain.ErrProductNotFound.
func (r *MemoryProductRepository) Remove(ctx context.Context, id domain.ProductID) error {
	return r.within(ctx, func(s *memoryState) error { return memoryTx{s}.Remove(ctx, id) })
}

// memoryTx is one transaction's view of the copied state: every port's methods at once.
type memoryTx struct{ s *memoryState }

func (t memoryTx) Products() app.ProductRepository { return t }
func (t memoryTx) Outbox() app.OutboxWriter        { return t }

func (t memoryTx) Add(_ context.Context, product domain.Product) error {
	if _, taken := t.s.skus[product.SKU()]; taken {
		return domain.SKUAlreadyExists(product.SKU())
	}
	t.s.products[product.ID()] = product
	t.s.skus[product.SKU()] = product.ID()
	return nil
}

func (t memoryTx) Get(_ context.Context, id domain.ProductID) (domain.Product, error) {
	product, ok := t.s.products[id]
	if !ok {
		return domain.Product{}, domain.ProductNotFound(id)
	}
	return product, nil
}

func (t memoryTx) List(_ context.Context) ([]domain.Product, error) {
	products := slices.Collect(maps.Values(t.s.products))
	slices.SortFunc(products, func(a, b domain.Product) int { return cmp.Compare(a.SKU(), b.SKU()) })
	return products, nil
}

func (t memoryTx) Update(_ context.Context, product domain.Product) error {
	if _, ok := t.s.products[product.ID()]; !ok {
		return domain.ProductNotFound(product.ID())
	}
	t.s.products[product.ID()] = product
	return nil
}

func (t memoryTx) Remove(_ context.Context, id domain.ProductID) error {
	product, ok := t.s.products[id]
	if !ok {
		return domain.ProductNotFound(id)
	}
	delete(t.s.products, id)
	delete(t.s.skus, product.SKU())
	return nil
}

func (t memoryTx) Append(_ context.Context, message outbox.Message) error {
	t.s.outbox = append(t.s.outbox, memoryMessage{message: message})
	return nil
}

func (t memoryTx) Pending(_ context.Context, limit int) ([]outbox.Message, error) {
	var pending []outbox.Message
	for _, m := range t.s.outbox {
		if len(pending) == limit {
			break
		}
		if !m.sent {
			pending = append(pending, m.message)
		}
	}
	return pending, nil
}

func (t memoryTx) MarkSent(_ context.Context, id string) error {
	for i := range t.s.outbox {
		if t.s.outbox[i].message.ID == id {
			t.s.outbox[i].sent = true
		}
	}
	return nil
}

func (t memoryTx) MarkProcessed(_ context.Context, consumer, messageID string) (bool, error) {
	key := [2]string{consumer, messageID}
	if t.s.processed[key] {
		return false, nil
	}
	t.s.processed[key] = true
	return true, nil
}

func (t memoryTx) ApplyToProductFeed(_ context.Context, productID string) error {
	t.s.feed[productID]++
	return nil
}

// ProductFeed returns product_feed: how many times the product-feed consumer applied each
// product's creation (1 each when delivery is effectively once).
func (r *MemoryProductRepository) ProductFeed(ctx context.Context) (map[string]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.state.feed), nil
}
