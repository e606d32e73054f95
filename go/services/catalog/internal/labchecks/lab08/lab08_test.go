// Package lab08 holds the acceptance tests of lab 8 (labs/08-go-hexagonal): `pnpm lab 8 check`
// runs them with -race. They drive the real SQLite adapter (in memory: one connection, so a
// transaction left open blocks the next one, which a short deadline turns into a failure), a
// database/sql driver whose commits fail on demand, and fake publishers. No lab owns this file;
// the reference passes it. Each failure names the README step of its TODO(lab 8).
package lab08

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
	"languagetracks.example/go/services/catalog/internal/testsupport"
)

const (
	uowTodo     = "see TODO(lab 8) in internal/adapters/unit_of_work.go"
	appTodo     = "see TODO(lab 8) in internal/app/catalog.go"
	relayTodo   = "see TODO(lab 8) in internal/outbox/relay.go"
	consumeTodo = "see TODO(lab 8) in internal/outbox/consumer.go"
)

// TestMain fails the run if any goroutine (a relay, a broker) outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errUseCase = errors.New("use case failed")

// within gives each test a few seconds: a unit of work that never ends a transaction makes
// the next one wait for SQLite's only connection until this deadline.
func within(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func openSQLite(t *testing.T) *adapters.SQLStore {
	t.Helper()
	store, err := adapters.OpenSQLite(t.Context(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

func mug(t *testing.T, id domain.ProductID, sku domain.SKU) domain.Product {
	t.Helper()
	price, err := domain.NewMoney(1250, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return domain.NewProduct(id, sku, "Mug", price)
}

func count(ctx context.Context, t *testing.T, s app.UnitOfWork) int {
	t.Helper()
	var n int
	err := s.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		products, err := tx.Products().List(ctx)
		n = len(products)
		return err
	})
	if err != nil {
		t.Fatalf("listing products: %v (a transaction left open? %s, step 1)", err, uowTodo)
	}
	return n
}

// Step 1: the unit of work rolls back when the function fails, and when it panics.
func TestStep1RollbackByDefault(t *testing.T) {
	cases := []struct {
		name string
		fn   func(ctx context.Context, tx app.Tx) error
	}{
		{"the function returns an error", func(ctx context.Context, tx app.Tx) error {
			if err := tx.Products().Add(ctx, mug(t, "id-1", "MUG-1")); err != nil {
				return err
			}
			return errUseCase
		}},
		{"the function panics", func(ctx context.Context, tx app.Tx) error {
			if err := tx.Products().Add(ctx, mug(t, "id-1", "MUG-1")); err != nil {
				return err
			}
			panic("a bug in the use case")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := within(t)
			store := openSQLite(t)
			var err error
			panicked := func() (p bool) {
				defer func() { p = recover() != nil }()
				err = store.WithinTx(ctx, tc.fn)
				return false
			}()
			if strings.Contains(tc.name, "panic") {
				if !panicked {
					t.Fatalf("WithinTx swallowed the panic: it must roll back, then let it go on (%s, step 1)", uowTodo)
				}
			} else if !errors.Is(err, errUseCase) {
				t.Fatalf("WithinTx = %v, want the function's error, as is (%s, step 1)", err, uowTodo)
			}
			if n := count(ctx, t, store); n != 0 {
				t.Fatalf("%s, yet its product was committed: the unit of work must roll back (%s, step 1)", tc.name, uowTodo)
			}
		})
	}
}

// Step 2: the commit's error is returned; dropping it reports a write that never happened.
func TestStep2CommitErrorIsReturned(t *testing.T) {
	ctx := within(t)
	db, commits, err := testsupport.OpenFailingCommits("sqlite", "file:"+filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := adapters.NewSQLStore(ctx, db, adapters.DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	commits.Set(true)
	catalog, err := app.NewCatalog(app.Config{UnitOfWork: store})
	if err != nil {
		t.Fatal(err)
	}
	price, _ := domain.NewMoney(100, "EUR")
	_, err = catalog.CreateProduct(ctx, app.NewProduct{SKU: "MUG-1", Name: "Mug", Price: price})
	if !errors.Is(err, testsupport.ErrInjectedCommit) {
		t.Fatalf("CreateProduct with a failing commit = %v, want the commit error (the client was told 201 for a product that is not there; %s, step 2)", err, uowTodo)
	}
	commits.Set(false)
	if n := count(ctx, t, store); n != 0 {
		t.Fatalf("a failed commit left %d products", n)
	}
}

// recorder is a Publisher that keeps what it accepted and fails the calls in failOn (from 1).
type recorder struct {
	mu     sync.Mutex
	calls  int
	failOn map[int]bool
	got    []outbox.Message
}

var errBroker = errors.New("broker unavailable")

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

// Step 3: each write records its event in the same transaction.
func TestStep3EventsAreWrittenWithTheProduct(t *testing.T) {
	ctx := within(t)
	store := openSQLite(t)
	catalog, err := app.NewCatalog(app.Config{UnitOfWork: store})
	if err != nil {
		t.Fatal(err)
	}
	price, _ := domain.NewMoney(100, "EUR")
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
	pub := &recorder{}
	relay, err := outbox.NewRelay(outbox.RelayConfig{Store: store, Publisher: pub})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = relay.RunOnce(ctx) // step 4 may not be done yet: read the outbox directly below
	var pending []outbox.Message
	_ = store.WithinRelayTx(ctx, func(ctx context.Context, tx outbox.RelayTx) error {
		var err error
		pending, err = tx.Pending(ctx, 100)
		return err
	})
	all := append(pub.got, pending...)
	want := []string{outbox.TopicProductCreated, outbox.TopicProductUpdated, outbox.TopicProductDeleted}
	var got []string
	for _, m := range all {
		got = append(got, m.Topic)
		if !strings.Contains(string(m.Payload), string(created.ID())) {
			t.Errorf("event %s payload %s does not name the product", m.Topic, m.Payload)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("the outbox holds %v after create, revise, delete; want %v: append outbox.ProductCreated/Updated/Deleted with tx.Outbox() (%s, step 3)", got, want, appTodo)
	}
}

// brokenOutbox is the real SQLite unit of work whose outbox refuses every event.
type brokenOutbox struct{ *adapters.SQLStore }

type brokenOutboxTx struct{ app.Tx }

type refusingWriter struct{}

var errOutbox = errors.New("outbox write failed")

func (refusingWriter) Append(context.Context, outbox.Message) error { return errOutbox }
func (brokenOutboxTx) Outbox() app.OutboxWriter                     { return refusingWriter{} }

func (b brokenOutbox) WithinTx(ctx context.Context, fn func(ctx context.Context, tx app.Tx) error) error {
	return b.SQLStore.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error { return fn(ctx, brokenOutboxTx{tx}) })
}

// Step 3: the product and its event commit together or not at all.
func TestStep3NoProductWithoutItsEvent(t *testing.T) {
	ctx := within(t)
	store := openSQLite(t)
	catalog, err := app.NewCatalog(app.Config{UnitOfWork: brokenOutbox{store}})
	if err != nil {
		t.Fatal(err)
	}
	price, _ := domain.NewMoney(100, "EUR")
	_, err = catalog.CreateProduct(ctx, app.NewProduct{SKU: "MUG-1", Name: "Mug", Price: price})
	if !errors.Is(err, errOutbox) {
		t.Fatalf("CreateProduct with a failing outbox = %v, want the outbox error (%s, step 3)", err, appTodo)
	}
	if n := count(ctx, t, store); n != 0 {
		t.Fatalf("the product was committed without its event: write both in ONE c.uow.WithinTx (%s, step 3)", appTodo)
	}
}

func seeded(ctx context.Context, t *testing.T, n int) *adapters.SQLStore {
	t.Helper()
	store := openSQLite(t)
	err := store.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		for i := range n {
			p := mug(t, domain.ProductID("id-"+string(rune('a'+i))), domain.SKU("SKU-"+string(rune('A'+i))))
			if err := tx.Outbox().Append(ctx, outbox.ProductCreated(p)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// Step 4: the relay publishes first and marks sent after; a failure is retried, never lost.
func TestStep4RelayPublishesAtLeastOnce(t *testing.T) {
	cases := []struct {
		name     string
		failOn   map[int]bool
		wantSent int
		wantErr  error
	}{
		{"every pending message is published and marked sent", nil, 3, nil},
		{"a failed publish stops the batch; the rest stays pending", map[int]bool{2: true}, 1, errBroker},
		{"the broker is down: nothing is marked sent", map[int]bool{1: true}, 0, errBroker},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := within(t)
			store := seeded(ctx, t, 3)
			pub := &recorder{failOn: tc.failOn}
			relay, err := outbox.NewRelay(outbox.RelayConfig{Store: store, Publisher: pub})
			if err != nil {
				t.Fatal(err)
			}
			sent, err := relay.RunOnce(ctx)
			if sent != tc.wantSent || !errors.Is(err, tc.wantErr) {
				t.Fatalf("RunOnce = %d, %v; want %d sent, error %v (%s, step 4)", sent, err, tc.wantSent, tc.wantErr, relayTodo)
			}
			if _, err := relay.RunOnce(ctx); err != nil {
				t.Fatalf("second RunOnce: %v", err)
			}
			published := map[string]bool{}
			for _, m := range pub.got {
				published[m.ID] = true
			}
			if len(published) != 3 {
				t.Fatalf("after a retry, %d of 3 messages reached the broker: a message marked sent before its publish succeeded is lost (%s, step 4)", len(published), relayTodo)
			}
			if sent, err := relay.RunOnce(ctx); sent != 0 || err != nil {
				t.Fatalf("a third RunOnce = %d, %v; want nothing left: mark each published message sent (%s, step 4)", sent, err, relayTodo)
			}
		})
	}
}

// Step 5: the consumer applies a message once, however often it arrives.
func TestStep5ConsumerAppliesOnce(t *testing.T) {
	ctx := within(t)
	store := openSQLite(t)
	failFirst := true
	applied := 0
	consumer, err := outbox.NewConsumer("counter", store, func(context.Context, outbox.InboxTx, outbox.Message) error {
		if failFirst {
			failFirst = false
			return errUseCase
		}
		applied++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := outbox.ProductCreated(mug(t, "id-1", "MUG-1"))
	deliveries := []struct {
		name        string
		wantApplied bool
		wantErr     bool
		wantCount   int
	}{
		{"the handler fails", false, true, 0},
		{"the redelivery after the failure", true, false, 1},
		{"a duplicate", false, false, 1},
		{"another duplicate", false, false, 1},
	}
	for _, d := range deliveries {
		ok, err := consumer.Handle(ctx, m)
		if ok != d.wantApplied || (err != nil) != d.wantErr || applied != d.wantCount {
			t.Fatalf("%s: Handle = %v, %v, applied %d times; want %v, error %v, %d times: MarkProcessed first, in the handler's transaction, and skip a message seen before (%s, step 5)",
				d.name, ok, err, applied, d.wantApplied, d.wantErr, d.wantCount, consumeTodo)
		}
	}
}

// The whole path: relay → in-process broker → consumer, and both goroutines stop with ctx.
func TestOutboxEndToEndStopsWithItsContext(t *testing.T) {
	ctx := within(t)
	store := openSQLite(t)
	catalog, err := app.NewCatalog(app.Config{UnitOfWork: store})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	consumer, err := outbox.NewConsumer("log", store, func(_ context.Context, _ outbox.InboxTx, m outbox.Message) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, m.Topic)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	broker := outbox.NewBroker()
	broker.Subscribe(consumer)
	relay, err := outbox.NewRelay(outbox.RelayConfig{Store: store, Publisher: broker, Interval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = relay.Run(runCtx, nil) })
	wg.Go(func() { _ = broker.Run(runCtx, 5*time.Millisecond, nil) })
	price, _ := domain.NewMoney(100, "EUR")
	if _, err := catalog.CreateProduct(ctx, app.NewProduct{SKU: "MUG-1", Name: "Mug", Price: price}); err != nil {
		t.Fatal(err)
	}
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n > 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if len(seen) != 1 || seen[0] != outbox.TopicProductCreated {
		t.Fatalf("the consumer saw %v, want one product.created (%s and %s)", seen, appTodo, relayTodo)
	}
}
