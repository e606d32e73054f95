package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/outbox"
)

// openStore opens the storage spec names (lab 8; CATALOG_DB or --db, named by source in
// errors; default: SQLite in memory) and starts the outbox: the relay publishing to the
// broker brokerCfg names (CATALOG_BROKER_URL; "" is the in-process one, broker.go), and the
// broker delivering to the catalog's own idempotent consumer, product-feed, which counts each
// created product in product_feed. stop ends both goroutines, waits for them, lets go of the
// broker (draining the NATS connection), then closes the store; call it after the server has
// drained, so the events of the last requests are still relayed.
func openStore(ctx context.Context, spec, source string, brokerCfg brokerConfig, logger *slog.Logger) (store adapters.Store, stop func(), err error) {
	// Opening (and migrating) is start-up work: a signal already pending must not fail it.
	ctx = context.WithoutCancel(ctx)
	store, err = adapters.Open(ctx, spec)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", source, err)
	}
	feed, err := outbox.NewConsumer(outbox.ProductFeedConsumer, store, outbox.ProductFeed)
	if err != nil {
		return nil, nil, errors.Join(err, store.Close())
	}
	transport, err := openBroker(ctx, brokerCfg, feed, logger)
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("%s: %w", brokerEnv, err), store.Close())
	}
	relay, err := outbox.NewRelay(outbox.RelayConfig{Store: store, Publisher: transport.publisher})
	if err != nil {
		return nil, nil, errors.Join(err, transport.close(), store.Close())
	}
	// The outbox outlives the request context: it stops when stop is called, not on SIGTERM.
	runCtx, cancel := context.WithCancel(ctx)
	onError := func(err error) { logger.Warn("outbox", "error", err.Error()) }
	var wg sync.WaitGroup
	wg.Go(func() { _ = relay.Run(runCtx, onError) })         // returns ctx.Err() once stopped
	wg.Go(func() { _ = transport.deliver(runCtx, onError) }) // likewise
	stop = func() {
		cancel()
		wg.Wait()
		if err := transport.close(); err != nil {
			logger.Error("closing the broker connection", "error", err.Error())
		}
		if err := store.Close(); err != nil {
			logger.Error("closing the store", "error", err.Error())
		}
	}
	return store, stop, nil
}
