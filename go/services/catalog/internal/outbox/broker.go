package outbox

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Broker is an in-process Publisher, the default when no real broker is configured. Like a
// real broker it decouples the two sides: Publish only queues the message (so the relay never
// waits on a consumer while it holds its transaction: with SQLite's single writer, or the
// memory store's lock, a consumer writing in the same database would deadlock), and Run
// delivers the queue to every subscribed consumer, keeping a message whose delivery failed for
// the next round. Redelivery can reach a consumer that already applied the message: the
// consumers are idempotent. The queue lives in memory: a real broker keeps it durable.
type Broker struct {
	mu        sync.Mutex
	consumers []*Consumer
	queue     []Message
	wake      chan struct{}
}

// NewBroker returns a broker without subscribers.
func NewBroker() *Broker { return &Broker{wake: make(chan struct{}, 1)} }

// Subscribe adds a consumer; it receives every message delivered after this call.
func (b *Broker) Subscribe(consumer *Consumer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.consumers = append(b.consumers, consumer)
}

// Publish queues the message for delivery; it never blocks on a consumer.
func (b *Broker) Publish(ctx context.Context, message Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	b.queue = append(b.queue, message)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
	return nil
}

// Queued is how many messages wait for delivery.
func (b *Broker) Queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// Deliver hands each queued message to every consumer, in order; a message that any consumer
// failed stays queued (for all of them: at least once) and the errors are joined.
func (b *Broker) Deliver(ctx context.Context) error {
	b.mu.Lock()
	queue := b.queue
	b.queue = nil
	consumers := append([]*Consumer(nil), b.consumers...)
	b.mu.Unlock()
	var failed []Message
	var errs []error
	for _, message := range queue {
		ok := true
		for _, consumer := range consumers {
			if _, err := consumer.Handle(ctx, message); err != nil {
				errs = append(errs, err)
				ok = false
			}
		}
		if !ok {
			failed = append(failed, message)
		}
	}
	if len(failed) > 0 {
		b.mu.Lock()
		b.queue = append(failed, b.queue...)
		b.mu.Unlock()
	}
	return errors.Join(errs...)
}

// Run delivers whenever a message is published, and retries failed deliveries every retry,
// until ctx is done; then it returns ctx's error. onError (may be nil) sees each failed round.
func (b *Broker) Run(ctx context.Context, retry time.Duration, onError func(error)) error {
	ticker := time.NewTicker(retry)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.wake:
		case <-ticker.C:
		}
		if err := b.Deliver(ctx); err != nil && onError != nil && ctx.Err() == nil {
			onError(err)
		}
	}
}
