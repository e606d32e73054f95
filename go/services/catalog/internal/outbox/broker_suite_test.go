package outbox_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
	"languagetracks.example/go/services/catalog/internal/testsupport"
)

// brokerUnderTest is one broker behind the outbox's ports: the relay's Publisher, and a
// delivery loop to one idempotent Consumer that runs until the test ends.
type brokerUnderTest struct {
	publisher outbox.Publisher
	deliverTo func(t *testing.T, consumer *outbox.Consumer)
}

// TestBrokerSuite is the one port suite: the in-memory fake and the real JetStream must both
// pass it unchanged.
func TestBrokerSuite(t *testing.T) {
	brokers := map[string]func(t *testing.T) brokerUnderTest{
		"memory":    memoryBroker,
		"jetstream": jetStreamBroker,
	}
	cases := []struct {
		name string
		run  func(t *testing.T, b brokerUnderTest)
	}{
		{"what is published is consumed with its id, topic and payload", roundTrip},
		{"a failed handling is redelivered and applied once", redeliveredAfterFailure},
		{"a message published twice is applied once", duplicatePublish},
		{"the product feed counts each product once under redelivery", feedOnceUnderRedelivery},
	}
	for name, open := range brokers {
		t.Run(name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
			}
		})
	}
}

func memoryBroker(*testing.T) brokerUnderTest {
	broker := outbox.NewBroker()
	return brokerUnderTest{
		publisher: broker,
		deliverTo: func(t *testing.T, consumer *outbox.Consumer) {
			broker.Subscribe(consumer)
			runInBackground(t, func(ctx context.Context) error { return broker.Run(ctx, 20*time.Millisecond, nil) })
		},
	}
}

func jetStreamBroker(t *testing.T) brokerUnderTest {
	js, publisher := startJetStream(t)
	return brokerUnderTest{
		publisher: publisher,
		deliverTo: func(t *testing.T, consumer *outbox.Consumer) {
			runner, err := outbox.NewJetStreamRunner(t.Context(), js, consumer, fastRedelivery)
			if err != nil {
				t.Fatal(err)
			}
			runInBackground(t, func(ctx context.Context) error { return runner.Run(ctx, nil) })
		},
	}
}

// fastRedelivery keeps the tests short: a nak'd message comes back after 50 ms.
var fastRedelivery = outbox.JetStreamConsumerConfig{NakDelay: 50 * time.Millisecond, FetchWait: 200 * time.Millisecond, AckWait: 2 * time.Second}

// startJetStream starts a nats-server, connects (drained at the end) and ensures the stream.
func startJetStream(t *testing.T) (jetstream.JetStream, *outbox.JetStreamPublisher) {
	t.Helper()
	server := testsupport.StartNATSServer(t)
	nc := dial(t, server.URL)
	js, err := jetstream.New(nc.Conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := outbox.EnsureStream(t.Context(), js, 0); err != nil {
		t.Fatal(err)
	}
	publisher, err := outbox.NewJetStreamPublisher(nc.Conn, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return js, publisher
}

func dial(t *testing.T, url string) *outbox.NATSConn {
	t.Helper()
	nc, err := outbox.DialNATS(url, "catalog-test", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := nc.Drain(); err != nil {
			t.Errorf("drain: %v", err)
		}
	})
	return nc
}

// runInBackground runs loop until the test ends, then cancels it and checks it stopped with
// the context's error (and stopped at all).
func runInBackground(t *testing.T, loop func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- loop(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the delivery loop stopped with %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the delivery loop did not stop after its context was cancelled")
		}
	})
}

// eventually polls cond for up to 15 s (a loaded 2-core machine is slow).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settle gives a wrong redelivery time to show up before a count is checked as final.
func settle() { time.Sleep(300 * time.Millisecond) }

// seen records what a handler saw.
type seen struct {
	mu       sync.Mutex
	messages []outbox.Message
	calls    int
}

func (s *seen) snapshot() ([]outbox.Message, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages), s.calls
}

// handler records each call; it fails the first failFirst of them.
func (s *seen) handler(failFirst int) outbox.Handler {
	return func(_ context.Context, _ outbox.InboxTx, m outbox.Message) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls++
		if s.calls <= failFirst {
			return errBroker
		}
		s.messages = append(s.messages, m)
		return nil
	}
}

func newConsumer(t *testing.T, handler outbox.Handler) *outbox.Consumer {
	t.Helper()
	consumer, err := outbox.NewConsumer("suite", adapters.NewMemoryProductRepository(), handler)
	if err != nil {
		t.Fatal(err)
	}
	return consumer
}

func product(t *testing.T, n int) domain.Product {
	t.Helper()
	price, err := domain.NewMoney(int64(100+n), "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return domain.NewProduct(domain.NewProductID(), domain.SKU("SKU-"+string(rune('A'+n))), "Mug", price)
}

func publish(t *testing.T, p outbox.Publisher, messages ...outbox.Message) {
	t.Helper()
	for _, m := range messages {
		if err := p.Publish(t.Context(), m); err != nil {
			t.Fatalf("publish %s: %v", m.ID, err)
		}
	}
}

func roundTrip(t *testing.T, b brokerUnderTest) {
	var s seen
	b.deliverTo(t, newConsumer(t, s.handler(0)))
	want := []outbox.Message{outbox.ProductCreated(product(t, 0)), outbox.ProductUpdated(product(t, 1)), outbox.ProductDeleted("p-2")}
	publish(t, b.publisher, want...)
	eventually(t, "3 messages are consumed", func() bool { got, _ := s.snapshot(); return len(got) == 3 })
	got, _ := s.snapshot()
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Topic != want[i].Topic || string(got[i].Payload) != string(want[i].Payload) {
			t.Fatalf("message %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func redeliveredAfterFailure(t *testing.T, b brokerUnderTest) {
	var s seen
	b.deliverTo(t, newConsumer(t, s.handler(1)))
	publish(t, b.publisher, outbox.ProductCreated(product(t, 0)))
	eventually(t, "the message is applied after its failure", func() bool { got, _ := s.snapshot(); return len(got) == 1 })
	settle()
	if got, calls := s.snapshot(); len(got) != 1 || calls != 2 {
		t.Fatalf("applied %d times in %d calls, want once in 2 (one failure, one redelivery)", len(got), calls)
	}
}

func duplicatePublish(t *testing.T, b brokerUnderTest) {
	var s seen
	b.deliverTo(t, newConsumer(t, s.handler(0)))
	m := outbox.ProductCreated(product(t, 0))
	publish(t, b.publisher, m, m) // the relay after a crash between the ack and MarkSent
	eventually(t, "the message is applied", func() bool { got, _ := s.snapshot(); return len(got) == 1 })
	settle()
	if got, _ := s.snapshot(); len(got) != 1 {
		t.Fatalf("a message published twice was applied %d times, want once", len(got))
	}
}

func feedOnceUnderRedelivery(t *testing.T, b brokerUnderTest) {
	store := adapters.NewMemoryProductRepository()
	failed := 0
	// The effect is written, then the handler fails: the write must roll back with the
	// processed record, and the redelivery apply it once.
	consumer, err := outbox.NewConsumer(outbox.ProductFeedConsumer, store, func(ctx context.Context, tx outbox.InboxTx, m outbox.Message) error {
		if err := outbox.ProductFeed(ctx, tx, m); err != nil {
			return err
		}
		if failed < 2 {
			failed++
			return errBroker
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b.deliverTo(t, consumer)
	p := product(t, 0)
	m := outbox.ProductCreated(p)
	publish(t, b.publisher, m, m)
	feed := func() map[string]int {
		f, err := store.ProductFeed(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	eventually(t, "the product is in the feed", func() bool { return feed()[string(p.ID())] > 0 })
	settle()
	if got := feed(); len(got) != 1 || got[string(p.ID())] != 1 {
		t.Fatalf("product_feed = %v, want {%s: 1}", got, p.ID())
	}
}
