package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// JetStream consumer defaults.
const (
	// DurablePrefix names each consumer's durable: catalog-<consumer name>.
	DurablePrefix = "catalog-"
	// DefaultAckWait is how long the broker waits for an ack before redelivering: longer than
	// any consumer transaction (SQLite's busy timeout is 5 s).
	DefaultAckWait = 30 * time.Second
	// DefaultNakDelay is how long a message whose handling failed waits before redelivery.
	DefaultNakDelay = time.Second
	// DefaultFetchWait is the longest a fetch waits for messages (and Run for a cancel).
	DefaultFetchWait = time.Second
	fetchBatch       = 50
)

// JetStreamConsumerConfig tunes a JetStreamRunner; zero values mean the defaults.
type JetStreamConsumerConfig struct {
	AckWait   time.Duration
	NakDelay  time.Duration
	FetchWait time.Duration
}

// JetStreamRunner delivers the stream to one idempotent Consumer through a durable pull
// consumer: the broker remembers what was acked, so a restarted service resumes where it
// stopped. A message is acked only after Consumer.Handle committed its effect with its
// processed record; a failure naks it (redelivered after NakDelay, forever: MaxDeliver is
// unlimited). A crash between the commit and the ack redelivers a message the consumer
// then skips as a duplicate: at least once delivery, exactly one effect.
type JetStreamRunner struct {
	consumer *Consumer
	pull     jetstream.Consumer
	nakDelay time.Duration
	wait     time.Duration
}

// NewJetStreamRunner creates (or updates) the durable catalog-<consumer name> on the stream
// and returns its runner. Call EnsureStream first.
func NewJetStreamRunner(ctx context.Context, js jetstream.JetStream, consumer *Consumer, cfg JetStreamConsumerConfig) (*JetStreamRunner, error) {
	if consumer == nil {
		return nil, errors.New("outbox: a consumer is required")
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	if cfg.NakDelay <= 0 {
		cfg.NakDelay = DefaultNakDelay
	}
	if cfg.FetchWait <= 0 {
		cfg.FetchWait = DefaultFetchWait
	}
	durable := DurablePrefix + consumer.Name()
	pull, err := js.CreateOrUpdateConsumer(ctx, StreamName, jetstream.ConsumerConfig{
		Durable:       durable,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxDeliver:    -1,
		FilterSubject: SubjectPrefix + ">",
	})
	if err != nil {
		return nil, fmt.Errorf("create or update consumer %s: %w", durable, err)
	}
	return &JetStreamRunner{consumer: consumer, pull: pull, nakDelay: cfg.NakDelay, wait: cfg.FetchWait}, nil
}

// Run fetches and handles messages until ctx is done, then returns ctx's error. onError (may
// be nil) sees each failure: a fetch while the broker is away, a failed handling, an ack
// that did not reach the broker. None of them stops Run.
func (r *JetStreamRunner) Run(ctx context.Context, onError func(error)) error {
	report := func(err error) {
		if onError != nil && err != nil && ctx.Err() == nil {
			onError(fmt.Errorf("consumer %s: %w", r.consumer.Name(), err))
		}
	}
	for ctx.Err() == nil {
		if err := r.fetchOnce(ctx, report); err != nil {
			report(err)
			// The broker is away (the connection reconnects on its own): wait a little
			// rather than spin.
			select {
			case <-ctx.Done():
			case <-time.After(r.wait):
			}
		}
	}
	return ctx.Err()
}

// fetchOnce handles one batch: whatever arrives within the fetch wait.
func (r *JetStreamRunner) fetchOnce(ctx context.Context, report func(error)) error {
	fetchCtx, cancel := context.WithTimeout(ctx, r.wait)
	defer cancel()
	batch, err := r.pull.Fetch(fetchBatch, jetstream.FetchContext(fetchCtx))
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	for msg := range batch.Messages() {
		if ctx.Err() != nil {
			// Stopping: hand the rest back at once rather than after AckWait.
			report(msg.Nak())
			continue
		}
		r.handle(ctx, msg, report)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("fetch: %w", err)
	}
	return nil
}

// handle acks only after the effect committed.
func (r *JetStreamRunner) handle(ctx context.Context, msg jetstream.Msg, report func(error)) {
	message, err := decodeMessage(msg)
	if err != nil {
		// It can never be handled: terminate it (no redelivery) and say so.
		report(errors.Join(err, msg.TermWithReason("not an outbox message")))
		return
	}
	if _, err := r.consumer.Handle(ctx, message); err != nil {
		if errors.Is(err, ErrBadPayload) {
			report(errors.Join(err, msg.TermWithReason("bad payload")))
			return
		}
		report(errors.Join(err, msg.NakWithDelay(r.nakDelay)))
		return
	}
	if err := msg.Ack(); err != nil {
		// The effect is committed; the broker will redeliver and the consumer skip it.
		report(fmt.Errorf("ack %s (it will be redelivered, then skipped): %w", message.ID, err))
	}
}
