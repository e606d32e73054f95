package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"languagetracks.example/go/services/catalog/internal/outbox"
)

// The broker is SIGKILLed while products are being created, relayed and consumed, then
// restarted on the same port and file store: every product reaches the feed exactly once,
// the stream holds each message once (what was acked survived; what was not was published
// again, and a copy of one that had been stored was dropped by its Nats-Msg-Id), and the
// outage was reported, not swallowed.
func TestBrokerKilledMidStreamLosesNothing(t *testing.T) {
	rig := newRig(t)
	consumer, err := outbox.NewConsumer(outbox.ProductFeedConsumer, rig.store, outbox.ProductFeed)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := outbox.NewJetStreamRunner(t.Context(), rig.js, consumer, fastRedelivery)
	if err != nil {
		t.Fatal(err)
	}
	var relayErrors, consumerErrors errorLog
	relay := rig.relay(t)
	runInBackground(t, func(ctx context.Context) error { return relay.Run(ctx, relayErrors.add) })
	runInBackground(t, func(ctx context.Context) error { return runner.Run(ctx, consumerErrors.add) })

	const products = 60
	for i := range products / 3 {
		rig.create(t, 3)
		switch i {
		case 6:
			eventually(t, "the stream is flowing", func() bool { return len(rig.feed(t)) > 0 })
			rig.server.Kill()
		case 13:
			rig.server.Start(t)
		}
		time.Sleep(15 * time.Millisecond) // let the relay and the consumer run in between
	}
	eventually(t, "the client reconnects", func() bool { return rig.nc.Status() == nats.CONNECTED })
	eventually(t, "the outbox is empty", func() bool { return rig.lag(t) == 0 })
	eventually(t, "every product is in the feed", func() bool { return len(rig.feed(t)) == products })
	settle()
	for id, applied := range rig.feed(t) {
		if applied != 1 {
			t.Errorf("product %s applied %d times, want once", id, applied)
		}
	}
	if n := rig.streamMessages(t); n != products {
		t.Errorf("the stream holds %d messages, want %d", n, products)
	}
	if relayErrors.count() == 0 {
		t.Error("the relay reported no error while the broker was down")
	}
}
