package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"languagetracks.example/go/services/catalog/internal/outbox"
)

// brokerEnv names the broker the outbox publishes to: unset or empty is the in-process
// broker (nothing to run, but a crash loses what it queued); nats://host:port is NATS
// JetStream, durable.
const brokerEnv = "CATALOG_BROKER_URL"

// brokerStartTimeout bounds the start-up work on the broker (stream and durable consumer).
const brokerStartTimeout = 10 * time.Second

// outboxRetry is how often the in-process broker retries a failed delivery.
const outboxRetry = time.Second

// errBadBrokerURL is a CATALOG_BROKER_URL that is not one or more nats:// URLs.
var errBadBrokerURL = errors.New("must be a nats:// URL (or several, comma-separated), e.g. nats://127.0.0.1:4222")

// brokerURLFromEnv returns CATALOG_BROKER_URL, checked: "" means the in-process broker.
func brokerURLFromEnv(getenv func(string) string) (string, error) {
	raw := strings.TrimSpace(getenv(brokerEnv))
	if raw == "" {
		return "", nil
	}
	for part := range strings.SplitSeq(raw, ",") {
		u, err := url.Parse(strings.TrimSpace(part))
		if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Hostname() == "" || u.Path != "" && u.Path != "/" {
			return "", fmt.Errorf("%s: %w, got %q", brokerEnv, errBadBrokerURL, outbox.RedactedURLs(raw))
		}
	}
	return raw, nil
}

// broker is the outbox's transport, whichever it is: where the relay publishes, the loop
// that delivers to the catalog's consumer, and how to let go of it once both have stopped.
type broker struct {
	publisher outbox.Publisher
	deliver   func(ctx context.Context, onError func(error)) error
	close     func() error
}

// openBroker returns the in-process broker for an empty url; otherwise it connects to NATS
// and ensures the stream and consumer's durable, or fails: at start-up an unreachable broker
// is an error (later, an outage is not: the connection reconnects forever).
func openBroker(ctx context.Context, rawURL string, consumer *outbox.Consumer, logger *slog.Logger) (broker, error) {
	if rawURL == "" {
		inProcess := outbox.NewBroker()
		inProcess.Subscribe(consumer)
		deliver := func(ctx context.Context, onError func(error)) error {
			return inProcess.Run(ctx, outboxRetry, onError)
		}
		return broker{publisher: inProcess, deliver: deliver, close: func() error { return nil }}, nil
	}
	nc, err := outbox.DialNATS(rawURL, "catalog", logger)
	if err != nil {
		return broker{}, err
	}
	b, err := jetStreamBroker(ctx, nc, consumer)
	if err != nil {
		nc.Close() // nothing was published: no need to drain
		return broker{}, err
	}
	logger.Info("outbox broker", "url", nc.ConnectedUrlRedacted(), "stream", outbox.StreamName,
		"durable", outbox.DurablePrefix+consumer.Name())
	return b, nil
}

func jetStreamBroker(ctx context.Context, nc *outbox.NATSConn, consumer *outbox.Consumer) (broker, error) {
	ctx, cancel := context.WithTimeout(ctx, brokerStartTimeout)
	defer cancel()
	js, err := jetstream.New(nc.Conn)
	if err != nil {
		return broker{}, err
	}
	if _, err := outbox.EnsureStream(ctx, js, 0); err != nil {
		return broker{}, err
	}
	publisher, err := outbox.NewJetStreamPublisher(nc.Conn, 0)
	if err != nil {
		return broker{}, err
	}
	runner, err := outbox.NewJetStreamRunner(ctx, js, consumer, outbox.JetStreamConsumerConfig{})
	if err != nil {
		return broker{}, err
	}
	return broker{publisher: publisher, deliver: runner.Run, close: nc.Drain}, nil
}
