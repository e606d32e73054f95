package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/outbox"
)

// outboxRetry is how often the in-process broker retries a failed delivery.
const outboxRetry = time.Second

// openStore opens the storage spec names (lab 8; CATALOG_DB or --db, named by source in
// errors; default: SQLite in memory) and starts
// the outbox: the relay publishing to the in-process broker, and the broker delivering to the
// catalog's own idempotent consumer, which logs each product event. stop ends both goroutines,
// waits for them, then closes the store; call it after the server has drained, so the events
// of the last requests are still relayed.
func openStore(ctx context.Context, spec, source string, logger *slog.Logger) (store adapters.Store, stop func(), err error) {
	// Opening (and migrating) is start-up work: a signal already pending must not fail it.
	ctx = context.WithoutCancel(ctx)
	store, err = adapters.Open(ctx, spec)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", source, err)
	}
	broker := outbox.NewBroker()
	audit, err := outbox.NewConsumer("event-log", store, func(_ context.Context, _ outbox.InboxTx, m outbox.Message) error {
		logger.Debug("product event", "topic", m.Topic, "message_id", m.ID)
		return nil
	})
	if err != nil {
		return nil, nil, errors.Join(err, store.Close())
	}
	broker.Subscribe(audit)
	relay, err := outbox.NewRelay(outbox.RelayConfig{Store: store, Publisher: broker})
	if err != nil {
		return nil, nil, errors.Join(err, store.Close())
	}
	// The outbox outlives the request context: it stops when stop is called, not on SIGTERM.
	runCtx, cancel := context.WithCancel(ctx)
	onError := func(err error) { logger.Warn("outbox", "error", err.Error()) }
	var wg sync.WaitGroup
	wg.Go(func() { _ = relay.Run(runCtx, onError) })               // returns ctx.Err() once stopped
	wg.Go(func() { _ = broker.Run(runCtx, outboxRetry, onError) }) // likewise
	stop = func() {
		cancel()
		wg.Wait()
		if err := store.Close(); err != nil {
			logger.Error("closing the store", "error", err.Error())
		}
	}
	return store, stop, nil
}
