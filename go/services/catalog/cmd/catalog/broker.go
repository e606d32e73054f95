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

	"languagetracks.example/go/services/catalog/internal/fanout"
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

// ackWaitEnv is how long (ms) the broker waits for a consumer's ack before it redelivers:
// after a SIGKILL, the messages the dead process had fetched come back after this long.
const ackWaitEnv = "CATALOG_BROKER_ACK_WAIT_MS"

// brokerConfig is the broker's settings from the environment; an empty URL means the
// in-process broker.
type brokerConfig struct {
	URL     string
	AckWait time.Duration
}

// brokerFromEnv reads CATALOG_BROKER_URL and CATALOG_BROKER_ACK_WAIT_MS, checked.
func brokerFromEnv(getenv func(string) string) (brokerConfig, error) {
	ackWaitMS, err := fanout.PositiveInt(getenv, ackWaitEnv, int(outbox.DefaultAckWait/time.Millisecond))
	if err != nil {
		return brokerConfig{}, err
	}
	cfg := brokerConfig{URL: strings.TrimSpace(getenv(brokerEnv)), AckWait: time.Duration(ackWaitMS) * time.Millisecond}
	if cfg.URL == "" {
		return cfg, nil
	}
	for part := range strings.SplitSeq(cfg.URL, ",") {
		u, err := url.Parse(strings.TrimSpace(part))
		if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Hostname() == "" || u.Path != "" && u.Path != "/" {
			return brokerConfig{}, fmt.Errorf("%s: %w, got %q", brokerEnv, errBadBrokerURL, outbox.RedactedURLs(cfg.URL))
		}
	}
	return cfg, nil
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
func openBroker(ctx context.Context, cfg brokerConfig, consumer *outbox.Consumer, logger *slog.Logger) (broker, error) {
	if cfg.URL == "" {
		inProcess := outbox.NewBroker()
		inProcess.Subscribe(consumer)
		deliver := func(ctx context.Context, onError func(error)) error {
			return inProcess.Run(ctx, outboxRetry, onError)
		}
		return broker{publisher: inProcess, deliver: deliver, close: func() error { return nil }}, nil
	}
	nc, err := outbox.DialNATS(cfg.URL, "catalog", logger)
	if err != nil {
		return broker{}, err
	}
	b, err := jetStreamBroker(ctx, nc, consumer, cfg.AckWait)
	if err != nil {
		nc.Close() // nothing was published: no need to drain
		return broker{}, err
	}
	logger.Info("outbox broker", "url", nc.ConnectedUrlRedacted(), "stream", outbox.StreamName,
		"durable", outbox.DurablePrefix+consumer.Name(), "ack_wait_ms", cfg.AckWait.Milliseconds())
	return b, nil
}

func jetStreamBroker(ctx context.Context, nc *outbox.NATSConn, consumer *outbox.Consumer, ackWait time.Duration) (broker, error) {
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
	runner, err := outbox.NewJetStreamRunner(ctx, js, consumer, outbox.JetStreamConsumerConfig{AckWait: ackWait})
	if err != nil {
		return broker{}, err
	}
	return broker{publisher: publisher, deliver: runner.Run, close: nc.Drain}, nil
}
