package domain

import (
	"errors"
	"fmt"
)

// ErrProductNotFound means that no product has the id (or that the id is not one the catalog
// could have issued). Wrapped with the id; the HTTP edge maps it to 404 product_not_found.
var ErrProductNotFound = errors.New("product not found")

// ErrSKUAlreadyExists means that another product already uses the SKU: SKUs are unique across
// the catalog. Wrapped with the SKU; the HTTP edge maps it to 409 sku_already_exists.
var ErrSKUAlreadyExists = errors.New("sku already exists")

// ValidationError says that one value breaks one rule: Field names the value the way the
// domain names it (e.g. "amount_minor"), Err is the rule's sentinel error.
//
// Messages of domain errors are written for API clients: the edge may show them. Never put
// secrets, SQL or stack traces in them.
type ValidationError struct {
	// Field is the name of the invalid value, e.g. "sku" or "currency".
	Field string
	// Err is the sentinel of the broken rule, e.g. ErrSKUFormat.
	Err error
}

// Error returns "field: rule".
func (e *ValidationError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap lets errors.Is find the rule's sentinel.
func (e *ValidationError) Unwrap() error { return e.Err }

func invalid(field string, rule error) error { return &ValidationError{Field: field, Err: rule} }

// productNotFound wraps ErrProductNotFound with the id the caller named.
func productNotFound(id string) error {
	return fmt.Errorf("no product with id '%s': %w", id, ErrProductNotFound)
}

// ProductNotFound is the error every layer returns for a missing product, so that the id is
// reported the same way everywhere. errors.Is(err, ErrProductNotFound) holds for it.
func ProductNotFound(id ProductID) error { return productNotFound(string(id)) }

// SKUAlreadyExists is the error for a second product with the same SKU.
// errors.Is(err, ErrSKUAlreadyExists) holds for it.
func SKUAlreadyExists(sku SKU) error {
	return fmt.Errorf("a product with sku '%s' already exists: %w", sku, ErrSKUAlreadyExists)
}

// ErrIdempotencyConflict means that an Idempotency-Key was sent again with a different
// request: the key already stands for another request's answer. Wrapped with the key; the
// HTTP edge maps it to 409 idempotency_conflict.
var ErrIdempotencyConflict = errors.New("idempotency key reused")

// IdempotencyConflict is the error for a key sent again with another request.
// errors.Is(err, ErrIdempotencyConflict) holds for it.
func IdempotencyConflict(key string) error {
	return fmt.Errorf("the Idempotency-Key '%s' was already used with a different request: %w", key, ErrIdempotencyConflict)
}
