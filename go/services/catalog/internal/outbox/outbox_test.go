package outbox_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errBroker = errors.New("broker down")

// recorder is a Publisher that records what it accepted and fails the calls listed in failOn
// (by call number, from 1).
type recorder struct {
	mu     sync.Mutex
	calls  int
	failOn map[int]bool
	got    []outbox.Message
}

func (r *recorder) Publish(_ context.Context, m outbox.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.failOn[r.calls] {
		return errBroker
	}
	r.got = append(r.got, m)
	return nil
}

func (r *recorder) topics() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.got {
		out = append(out, m.Topic)
	}
	return out
}

func seed(t *testing.T, store *adapters.MemoryProductRepository) *app.Catalog {
	t.Helper()
	catalog, err := app.NewCatalog(app.Config{UnitOfWork: store})
	if err != nil {
		t.Fatal(err)
	}
	price, _ := domain.NewMoney(100, "EUR")
	ctx := t.Context()
	created, err := catalog.CreateProduct(ctx, app.NewProduct{SKU: "MUG-1", Name: "Mug", Price: price})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.ReviseProduct(ctx, created.ID(), "Cup", price); err != nil {
		t.Fatal(err)
	}
	if err := catalog.DeleteProduct(ctx, created.ID()); err != nil {
		t.Fatal(err)
	}
	return catalog
}

func TestRelay(t *testing.T) {
	all := []string{outbox.TopicProductCreated, outbox.TopicProductUpdated, outbox.TopicProductDeleted}
	cases := []struct {
		name      string
		failOn    map[int]bool
		firstSent int
		firstErr  error
		finally   []string // what the broker accepted after two runs, in order
	}{
		{"publishes every pending message once, in order", nil, 3, nil, all},
		{"a failed publish stops the batch and is retried next run", map[int]bool{2: true}, 1, errBroker, all},
		{"a broker down for the whole first run loses nothing", map[int]bool{1: true}, 0, errBroker, all},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := adapters.NewMemoryProductRepository()
			seed(t, store)
			pub := &recorder{failOn: tc.failOn}
			relay, err := outbox.NewRelay(outbox.RelayConfig{Store: store, Publisher: pub})
			if err != nil {
				t.Fatal(err)
			}
			sent, err := relay.RunOnce(t.Context())
			if sent != tc.firstSent || !errors.Is(err, tc.firstErr) {
				t.Fatalf("first RunOnce = %d, %v; want %d, %v", sent, err, tc.firstSent, tc.firstErr)
			}
			if _, err := relay.RunOnce(t.Context()); err != nil {
				t.Fatalf("second RunOnce: %v", err)
			}
			if got := pub.topics(); !equal(got, tc.finally) {
				t.Fatalf("published %v, want %v", got, tc.finally)
			}
			if sent, err := relay.RunOnce(t.Context()); sent != 0 || err != nil {
				t.Fatalf("third RunOnce = %d, %v; want nothing left", sent, err)
			}
		})
	}
}

// forgetfulStore loses the relay's MarkSent (its transaction fails after the publish): the
// relay must publish the message again, and the consumer must apply it once.
type forgetfulStore struct {
	*adapters.MemoryProductRepository
	fail bool
}

var errCommit = errors.New("commit failed")

func (s *forgetfulStore) WithinRelayTx(ctx context.Context, fn func(ctx context.Context, tx outbox.RelayTx) error) error {
	err := s.MemoryProductRepository.WithinRelayTx(ctx, func(ctx context.Context, tx outbox.RelayTx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		if s.fail {
			return errCommit
		}
		return nil
	})
	return err
}

func TestAtLeastOnceThenExactlyOnceEffect(t *testing.T) {
	store := &forgetfulStore{MemoryProductRepository: adapters.NewMemoryProductRepository(), fail: true}
	seed(t, store.MemoryProductRepository)
	var mu sync.Mutex
	applied := map[string]int{}
	consumer, err := outbox.NewConsumer("counter", store, func(_ context.Context, _ outbox.InboxTx, m outbox.Message) error {
		mu.Lock()
		defer mu.Unlock()
		applied[m.ID]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	broker := outbox.NewBroker()
	broker.Subscribe(consumer)
	relay, err := outbox.NewRelay(outbox.RelayConfig{Store: store, Publisher: broker})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := relay.RunOnce(t.Context()); !errors.Is(err, errCommit) {
		t.Fatalf("RunOnce with a failing commit = %v, want it returned", err)
	}
	store.fail = false
	if sent, err := relay.RunOnce(t.Context()); sent != 3 || err != nil {
		t.Fatalf("RunOnce after recovery = %d, %v; want the 3 messages again", sent, err)
	}
	if n := broker.Queued(); n != 6 {
		t.Fatalf("the broker holds %d messages, want 6 (each published twice)", n)
	}
	if err := broker.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(applied) != 3 {
		t.Fatalf("applied %d distinct messages, want 3", len(applied))
	}
	for id, n := range applied {
		if n != 1 {
			t.Fatalf("message %s applied %d times, want once", id, n)
		}
	}
}

func TestConsumer(t *testing.T) {
	store := adapters.NewMemoryProductRepository()
	failNext := true
	count := 0
	consumer, err := outbox.NewConsumer("counter", store, func(context.Context, outbox.InboxTx, outbox.Message) error {
		if failNext {
			failNext = false
			return errBroker
		}
		count++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := outbox.Message{ID: outbox.NewMessageID(), Topic: outbox.TopicProductCreated, Payload: []byte(`{}`)}
	steps := []struct {
		name    string
		applied bool
		err     bool
		count   int
	}{
		{"the handler fails: nothing recorded", false, true, 0},
		{"the redelivery is applied", true, false, 1},
		{"a duplicate is skipped", false, false, 1},
		{"and so is the next one", false, false, 1},
	}
	for _, step := range steps {
		applied, err := consumer.Handle(t.Context(), m)
		if applied != step.applied || (err != nil) != step.err || count != step.count {
			t.Fatalf("%s: Handle = %v, %v (count %d); want %v, error %v, count %d", step.name, applied, err, count, step.applied, step.err, step.count)
		}
	}
}

func TestBrokerRedeliversAfterAConsumerFailure(t *testing.T) {
	store := adapters.NewMemoryProductRepository()
	fails := 1
	count := 0
	consumer, err := outbox.NewConsumer("counter", store, func(context.Context, outbox.InboxTx, outbox.Message) error {
		if fails > 0 {
			fails--
			return errBroker
		}
		count++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	broker := outbox.NewBroker()
	broker.Subscribe(consumer)
	m := outbox.Message{ID: outbox.NewMessageID(), Topic: outbox.TopicProductCreated, Payload: []byte(`{}`)}
	if err := broker.Publish(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if err := broker.Deliver(t.Context()); !errors.Is(err, errBroker) || broker.Queued() != 1 {
		t.Fatalf("Deliver with a failing consumer = %v, queued %d; want the error and the message kept", err, broker.Queued())
	}
	if err := broker.Deliver(t.Context()); err != nil || broker.Queued() != 0 || count != 1 {
		t.Fatalf("second Deliver = %v, queued %d, applied %d; want delivered once", err, broker.Queued(), count)
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	store := adapters.NewMemoryProductRepository()
	seed(t, store)
	pub := &recorder{}
	relay, err := outbox.NewRelay(outbox.RelayConfig{Store: store, Publisher: pub, Interval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 2)
	go func() { done <- relay.Run(ctx, nil) }()
	go func() { done <- outbox.NewBroker().Run(ctx, time.Millisecond, nil) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(pub.topics()) < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	for range 2 {
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop after its context was cancelled")
		}
	}
	if got := len(pub.topics()); got != 3 {
		t.Fatalf("Run published %d messages, want 3", got)
	}
}

func TestConstructorsNeedTheirDependencies(t *testing.T) {
	store := adapters.NewMemoryProductRepository()
	if _, err := outbox.NewRelay(outbox.RelayConfig{Publisher: outbox.NewBroker()}); !errors.Is(err, outbox.ErrNoStore) {
		t.Errorf("NewRelay(no store) = %v", err)
	}
	if _, err := outbox.NewRelay(outbox.RelayConfig{Store: store}); !errors.Is(err, outbox.ErrNoPublisher) {
		t.Errorf("NewRelay(no publisher) = %v", err)
	}
	if _, err := outbox.NewConsumer("x", store, nil); !errors.Is(err, outbox.ErrNoHandler) {
		t.Errorf("NewConsumer(no handler) = %v", err)
	}
	if _, err := outbox.NewConsumer("x", nil, func(context.Context, outbox.InboxTx, outbox.Message) error { return nil }); !errors.Is(err, outbox.ErrNoStore) {
		t.Errorf("NewConsumer(no store) = %v", err)
	}
}

func equal(a, b []string) bool { return slices.Equal(a, b) }
