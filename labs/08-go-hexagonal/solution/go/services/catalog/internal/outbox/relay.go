package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Relay defaults.
const (
	DefaultBatchSize = 100
	DefaultInterval  = 200 * time.Millisecond
)

// Relay publishes pending outbox messages and marks them sent, at least once.
//
// Lab 8 (step 4) is about RunOnce. The order is the whole point: publish FIRST, mark sent
// after, in the transaction that read the batch. A crash between the two publishes the message
// again on the next run (at least once: consumers deduplicate); marking first would lose the
// message if the publish then failed.
type Relay struct {
	store     RelayStore
	publisher Publisher
	batch     int
	interval  time.Duration
}

// RelayConfig is what NewRelay needs; zero BatchSize and Interval mean the defaults.
type RelayConfig struct {
	Store     RelayStore
	Publisher Publisher
	BatchSize int
	Interval  time.Duration
}

// NewRelay returns a relay over cfg.Store publishing to cfg.Publisher.
func NewRelay(cfg RelayConfig) (*Relay, error) {
	if cfg.Store == nil {
		return nil, ErrNoStore
	}
	if cfg.Publisher == nil {
		return nil, ErrNoPublisher
	}
	r := &Relay{store: cfg.Store, publisher: cfg.Publisher, batch: cfg.BatchSize, interval: cfg.Interval}
	if r.batch <= 0 {
		r.batch = DefaultBatchSize
	}
	if r.interval <= 0 {
		r.interval = DefaultInterval
	}
	return r, nil
}

// RunOnce publishes up to one batch of pending messages and returns how many were marked sent.
// A publish that fails stops the batch: the messages published before it are still marked
// sent (the transaction commits), the failed one and those after it stay pending for the next
// run, and the publish error is returned.
func (r *Relay) RunOnce(ctx context.Context) (int, error) {
	sent := 0
	var publishErr error
	err := r.store.WithinRelayTx(ctx, func(ctx context.Context, tx RelayTx) error {
		pending, err := tx.Pending(ctx, r.batch)
		if err != nil {
			return err
		}
		for _, message := range pending {
			if err := r.publisher.Publish(ctx, message); err != nil {
				publishErr = fmt.Errorf("publish %s %s: %w", message.Topic, message.ID, err)
				break
			}
			if err := tx.MarkSent(ctx, message.ID); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("outbox relay: %w", err)
	}
	return sent, publishErr
}

// Run calls RunOnce every interval until ctx is done, then returns ctx's error. onError (may
// be nil) sees each failed run; the relay goes on, and the next run retries.
func (r *Relay) Run(ctx context.Context, onError func(error)) error {
	ticker := time.NewTicker(r.interval)
	defer ticker.Stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && onError != nil && !errors.Is(err, context.Canceled) {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}
