package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
	"languagetracks.example/go/services/catalog/internal/testsupport"
)

// The behaviour of the outbox with a real broker, on the SQLite path the service takes.

// jetStreamRig is a nats-server, a connection, the stream and a SQLite catalog.
type jetStreamRig struct {
	server    *testsupport.NATSServer
	nc        *outbox.NATSConn
	js        jetstream.JetStream
	publisher *outbox.JetStreamPublisher
	store     *adapters.SQLStore
	catalog   *app.Catalog
	created   int
}

func newRig(t *testing.T) *jetStreamRig {
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
	store, err := adapters.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := store.Close(); err != nil {
			t.Error(err)
		}
	})
	catalog, err := app.NewCatalog(app.Config{UnitOfWork: store})
	if err != nil {
		t.Fatal(err)
	}
	return &jetStreamRig{server: server, nc: nc, js: js, publisher: publisher, store: store, catalog: catalog}
}

func (r *jetStreamRig) create(t *testing.T, n int) {
	t.Helper()
	price, _ := domain.NewMoney(100, "EUR")
	for range n {
		r.created++
		sku := domain.SKU(fmt.Sprintf("SKU-%d", r.created))
		if _, err := r.catalog.CreateProduct(t.Context(), app.NewProduct{SKU: sku, Name: "Mug", Price: price}); err != nil {
			t.Fatal(err)
		}
	}
}

func (r *jetStreamRig) relay(t *testing.T) *outbox.Relay {
	t.Helper()
	relay, err := outbox.NewRelay(outbox.RelayConfig{Store: r.store, Publisher: r.publisher, Interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return relay
}

func (r *jetStreamRig) lag(t *testing.T) int {
	t.Helper()
	n, err := r.store.OutboxLag(t.Context(), 10_000)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (r *jetStreamRig) streamMessages(t *testing.T) uint64 {
	t.Helper()
	stream, err := r.js.Stream(t.Context(), outbox.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func (r *jetStreamRig) feed(t *testing.T) map[string]int {
	t.Helper()
	feed, err := r.store.ProductFeed(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return feed
}

// errorLog keeps what an onError callback saw: no failure may go unreported.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) { l.mu.Lock(); l.errs = append(l.errs, err); l.mu.Unlock() }

func (l *errorLog) count() int { l.mu.Lock(); defer l.mu.Unlock(); return len(l.errs) }

func TestRelayMarksSentOnlyAfterTheAck(t *testing.T) {
	rig := newRig(t)
	rig.create(t, 3)
	relay := rig.relay(t)

	rig.server.Stop()
	eventually(t, "the client sees the broker gone", func() bool { return rig.nc.Status() != nats.CONNECTED })
	if sent, err := relay.RunOnce(t.Context()); sent != 0 || !errors.Is(err, outbox.ErrBrokerUnavailable) {
		t.Fatalf("RunOnce with the broker down = %d, %v; want 0 and ErrBrokerUnavailable", sent, err)
	}
	if n := rig.lag(t); n != 3 {
		t.Fatalf("with the broker down %d rows pending, want all 3", n)
	}

	rig.server.Start(t)
	eventually(t, "the client reconnects", func() bool { return rig.nc.Status() == nats.CONNECTED })
	if sent, err := relay.RunOnce(t.Context()); sent != 3 || err != nil {
		t.Fatalf("RunOnce with the broker back = %d, %v; want 3 sent", sent, err)
	}
	if n, m := rig.lag(t), rig.streamMessages(t); n != 0 || m != 3 {
		t.Fatalf("after the broker came back: %d pending, %d in the stream; want 0 and 3", n, m)
	}
}

// Connected but no stream to take the subject: no PubAck, so the row is not marked sent.
func TestRelayWithoutAStreamKeepsTheRowsPending(t *testing.T) {
	rig := newRig(t)
	rig.create(t, 2)
	if err := rig.js.DeleteStream(t.Context(), outbox.StreamName); err != nil {
		t.Fatal(err)
	}
	relay := rig.relay(t)
	if sent, err := relay.RunOnce(t.Context()); sent != 0 || err == nil {
		t.Fatalf("RunOnce without a stream = %d, %v; want 0 and the publish error", sent, err)
	}
	if n := rig.lag(t); n != 2 {
		t.Fatalf("without a PubAck %d rows pending, want 2", n)
	}
	if _, err := outbox.EnsureStream(t.Context(), rig.js, 0); err != nil {
		t.Fatal(err)
	}
	if sent, err := relay.RunOnce(t.Context()); sent != 2 || err != nil {
		t.Fatalf("RunOnce with the stream back = %d, %v; want 2", sent, err)
	}
}

func TestDuplicateMsgIDIsStoredOnce(t *testing.T) {
	rig := newRig(t)
	m := outbox.ProductCreated(product(t, 0))
	publish(t, rig.publisher, m, m, m)
	if n := rig.streamMessages(t); n != 1 {
		t.Fatalf("the same Nats-Msg-Id published 3 times is %d messages, want 1", n)
	}
}

// The consumer acks only after its transaction committed: a handler that fails first is
// nak'd, redelivered, applied once, and then nothing is left unacked.
func TestConsumerAcksOnlyAfterCommit(t *testing.T) {
	rig := newRig(t)
	rig.create(t, 5)
	var failures errorLog
	failOnce := map[string]bool{}
	var mu sync.Mutex
	consumer, err := outbox.NewConsumer(outbox.ProductFeedConsumer, rig.store, func(ctx context.Context, tx outbox.InboxTx, m outbox.Message) error {
		if err := outbox.ProductFeed(ctx, tx, m); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if !failOnce[m.ID] { // after the effect was written: it must roll back
			failOnce[m.ID] = true
			return errBroker
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runner, err := outbox.NewJetStreamRunner(t.Context(), rig.js, consumer, fastRedelivery)
	if err != nil {
		t.Fatal(err)
	}
	runInBackground(t, func(ctx context.Context) error { return runner.Run(ctx, failures.add) })
	if sent, err := rig.relay(t).RunOnce(t.Context()); sent != 5 || err != nil {
		t.Fatalf("RunOnce = %d, %v", sent, err)
	}
	eventually(t, "5 products are in the feed", func() bool { return len(rig.feed(t)) == 5 })
	durable, err := rig.js.Consumer(t.Context(), outbox.StreamName, outbox.DurablePrefix+outbox.ProductFeedConsumer)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "every message is acked", func() bool {
		info, err := durable.Info(t.Context())
		return err == nil && info.NumAckPending == 0 && info.NumPending == 0
	})
	for id, applied := range rig.feed(t) {
		if applied != 1 {
			t.Errorf("product %s applied %d times, want once", id, applied)
		}
	}
	if n := failures.count(); n != 5 {
		t.Errorf("onError saw %d failures, want the 5 first attempts", n)
	}
}

// A message fetched and never acked (a consumer that died mid-way) comes back after AckWait.
func TestUnackedMessageIsRedelivered(t *testing.T) {
	rig := newRig(t)
	var s seen
	consumer := newConsumer(t, s.handler(0))
	cfg := fastRedelivery
	cfg.AckWait = time.Second
	runner, err := outbox.NewJetStreamRunner(t.Context(), rig.js, consumer, cfg)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, rig.publisher, outbox.ProductCreated(product(t, 0)))
	durable, err := rig.js.Consumer(t.Context(), outbox.StreamName, outbox.DurablePrefix+consumer.Name())
	if err != nil {
		t.Fatal(err)
	}
	batch, err := durable.Fetch(1, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	taken := 0
	for range batch.Messages() { // taken, never acked
		taken++
	}
	if taken != 1 {
		t.Fatalf("fetched %d messages, want 1 (%v)", taken, batch.Error())
	}
	runInBackground(t, func(ctx context.Context) error { return runner.Run(ctx, nil) })
	eventually(t, "the unacked message is redelivered", func() bool { got, _ := s.snapshot(); return len(got) == 1 })
}
