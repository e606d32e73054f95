// Package outbox is the catalog's transactional outbox: the events a product write records in
// the same transaction as the product (events.go), the relay that publishes them at least once
// (relay.go), an idempotent consumer that applies each message once (consumer.go), and an
// in-process broker, the default Publisher (broker.go).
//
// The ports the relay and the consumer need (RelayStore, InboxStore, Publisher) are declared
// here, beside them; the adapters package implements them for memory, SQLite and PostgreSQL.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
)

// Topics of the product events.
const (
	TopicProductCreated = "product.created"
	TopicProductUpdated = "product.updated"
	TopicProductDeleted = "product.deleted"
)

// Message is one event in the outbox: Topic names it, Payload is its JSON text, and ID is the
// message id consumers deduplicate on.
type Message struct {
	ID      string
	Topic   string
	Payload json.RawMessage
}

// Publisher is where the relay sends messages (a broker). Publish returns nil only once the
// broker accepted the message; delivery is at least once.
type Publisher interface {
	Publish(ctx context.Context, message Message) error
}

// RelayStore is what the relay needs from the database: one transaction over the pending
// messages. WithinRelayTx commits when fn returns nil and rolls back otherwise.
type RelayStore interface {
	WithinRelayTx(ctx context.Context, fn func(ctx context.Context, tx RelayTx) error) error
}

// RelayTx is the outbox inside one relay transaction.
type RelayTx interface {
	// Pending returns up to limit messages not yet sent, oldest first. On PostgreSQL the rows
	// are locked FOR UPDATE SKIP LOCKED, so two relays never take the same message.
	Pending(ctx context.Context, limit int) ([]Message, error)
	// MarkSent marks a message sent; it is no longer pending once the transaction commits.
	MarkSent(ctx context.Context, id string) error
}

// InboxStore is what the idempotent consumer needs: one transaction in which it records the
// message as processed and applies its effect.
type InboxStore interface {
	WithinInboxTx(ctx context.Context, fn func(ctx context.Context, tx InboxTx) error) error
}

// InboxTx is what a consumer may write inside its transaction: its processed-messages record
// and its effect (the product feed), so the two commit or roll back together.
type InboxTx interface {
	// MarkProcessed records the message for this consumer; false if it was recorded before.
	MarkProcessed(ctx context.Context, consumer, messageID string) (bool, error)
	// ApplyToProductFeed counts one more application for the product in product_feed
	// (applied = applied + 1, the row created at 1): a durable effect that tests can count.
	ApplyToProductFeed(ctx context.Context, productID string) error
}

// ErrNoStore and ErrNoPublisher are returned by the constructors for a missing dependency.
var (
	ErrNoStore     = errors.New("outbox: a store is required")
	ErrNoPublisher = errors.New("outbox: a publisher is required")
	ErrNoHandler   = errors.New("outbox: a handler is required")
)
