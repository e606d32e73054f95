package app

import (
	"context"
	"errors"
	"fmt"

	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
)

// StoredAnswer is the first answer to a request sent with an Idempotency-Key: the edge
// renders it once, the app stores it with the product and hands it back on every retry. Its
// content is the edge's business (status, body, Location); the app only keeps it.
type StoredAnswer struct {
	Status   int
	Location string
	Body     []byte
}

// IdempotencyKeys stores answers by key, in the unit of work's transaction.
type IdempotencyKeys interface {
	// Claim stores (key, fingerprint, answer) unless the key is taken, and says whether it
	// did. A concurrent claim of the same key waits until the first transaction ends
	// (SQLite: the write lock; PostgreSQL: the unique index), so a false here means a
	// COMMITTED row that Answer can read.
	Claim(ctx context.Context, key, fingerprint string, answer StoredAnswer) (bool, error)
	// Answer reads the fingerprint and answer stored under key.
	Answer(ctx context.Context, key string) (fingerprint string, answer StoredAnswer, err error)
}

// IdempotentTx is a Tx whose storage also keeps idempotency keys. It is a separate interface
// (not a method of Tx) so that the labs' Tx and its fakes stay as they are: the SQL and memory
// adapters implement both.
type IdempotentTx interface {
	Tx
	IdempotencyKeys() IdempotencyKeys
}

// ErrNoIdempotencyStore is returned when the unit of work's transaction cannot keep keys.
var ErrNoIdempotencyStore = errors.New("app: this storage keeps no idempotency keys")

// IdempotentRequest is a keyed create: the key, the fingerprint of the parsed request (equal
// requests have equal fingerprints) and the product to create.
type IdempotentRequest struct {
	Key         string
	Fingerprint string
	Product     NewProduct
}

// CreateProductOnce creates the product unless req.Key was seen: then it returns the answer
// stored the first time (same fingerprint) or domain.ErrIdempotencyConflict (another one).
//
// The key is claimed FIRST, in the same transaction as the product and its outbox event, with
// the answer render gives for the new product: product, event and answer commit together or
// not at all. A concurrent request with the same key blocks on the claim until the first
// commits, then replays it; if the first rolled back (a taken SKU), nothing was stored and
// the second runs as if alone. A failed create (422, 409 sku) is therefore never stored.
func (c *Catalog) CreateProductOnce(ctx context.Context, req IdempotentRequest, render func(domain.Product) (StoredAnswer, error)) (StoredAnswer, error) {
	product := domain.NewProduct(c.newID(), req.Product.SKU, req.Product.Name, req.Product.Price)
	answer, err := render(product)
	if err != nil {
		return StoredAnswer{}, fmt.Errorf("create product once: render: %w", err)
	}
	err = c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {
		itx, ok := tx.(IdempotentTx)
		if !ok {
			return ErrNoIdempotencyStore
		}
		keys := itx.IdempotencyKeys()
		claimed, err := keys.Claim(ctx, req.Key, req.Fingerprint, answer)
		if err != nil {
			return err
		}
		if !claimed {
			fingerprint, stored, err := keys.Answer(ctx, req.Key)
			if err != nil {
				return err
			}
			if fingerprint != req.Fingerprint {
				return domain.IdempotencyConflict(req.Key)
			}
			answer = stored
			return nil // nothing written: the commit ends an empty transaction
		}
		if err := tx.Products().Add(ctx, product); err != nil {
			return err
		}
		return tx.Outbox().Append(ctx, outbox.ProductCreated(product))
	})
	if err != nil {
		return StoredAnswer{}, fmt.Errorf("create product once: %w", err)
	}
	return answer, nil
}
