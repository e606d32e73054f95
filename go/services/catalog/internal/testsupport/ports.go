package testsupport

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
)

// Store is every storage port at once: what each adapter implements.
type Store interface {
	app.UnitOfWork
	outbox.RelayStore
	outbox.InboxStore
	// ProductFeed reads product_feed, the product-feed consumer's effect.
	ProductFeed(ctx context.Context) (map[string]int, error)
}

// OpenStore returns a fresh, empty store for one test; it closes it in t.Cleanup.
type OpenStore func(t *testing.T) Store

var errBoom = errors.New("use case failed")

// RunStoreSuite is the one port test suite: every adapter (memory, SQLite, PostgreSQL) must
// pass it unchanged. Each case opens its own store.
func RunStoreSuite(t *testing.T, open OpenStore) {
	cases := []struct {
		name string
		run  func(ctx context.Context, t *testing.T, s Store)
	}{
		{"products round trip", productsRoundTrip},
		{"unknown id is ErrProductNotFound", unknownID},
		{"taken SKU is ErrSKUAlreadyExists and leaves no row", takenSKU},
		{"an error rolls back the product and its outbox row", rollbackOnError},
		{"a panic rolls back and the store stays usable", rollbackOnPanic},
		{"a cancelled context writes nothing", cancelledContext},
		{"outbox rows are pending oldest first until marked sent", outboxPending},
		{"a rolled-back MarkSent leaves the message pending", markSentRollback},
		{"a message is processed once per consumer", processedOnce},
		{"the product feed counts applications and rolls back with the consumer", productFeedCounts},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t.Context(), t, open(t))
		})
	}
}

func mustProduct(t *testing.T, id, sku string) domain.Product {
	t.Helper()
	price, err := domain.NewMoney(1250, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return domain.NewProduct(domain.ProductID(id), domain.SKU(sku), "Mug", price)
}

func add(ctx context.Context, s Store, products ...domain.Product) error {
	return s.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		for _, p := range products {
			if err := tx.Products().Add(ctx, p); err != nil {
				return err
			}
			if err := tx.Outbox().Append(ctx, outbox.ProductCreated(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

func list(ctx context.Context, t *testing.T, s Store) []domain.Product {
	t.Helper()
	var products []domain.Product
	err := s.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		var err error
		products, err = tx.Products().List(ctx)
		return err
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return products
}

func pending(ctx context.Context, t *testing.T, s Store, limit int) []outbox.Message {
	t.Helper()
	var messages []outbox.Message
	err := s.WithinRelayTx(ctx, func(ctx context.Context, tx outbox.RelayTx) error {
		var err error
		messages, err = tx.Pending(ctx, limit)
		return err
	})
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	return messages
}

func productsRoundTrip(ctx context.Context, t *testing.T, s Store) {
	b, a := mustProduct(t, "id-b", "B-1"), mustProduct(t, "id-a", "A-1")
	if err := add(ctx, s, b, a); err != nil {
		t.Fatalf("Add: %v", err)
	}
	got := list(ctx, t, s)
	if len(got) != 2 || got[0].SKU() != "A-1" || got[1].SKU() != "B-1" {
		t.Fatalf("List = %v, want A-1 then B-1 (sorted by SKU)", got)
	}
	price, _ := domain.NewMoney(999, "USD")
	revised := a.Revised("Big mug", price)
	err := s.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		if err := tx.Products().Update(ctx, revised); err != nil {
			return err
		}
		got, err := tx.Products().Get(ctx, a.ID())
		if err != nil {
			return err
		}
		if got != revised {
			return fmt.Errorf("get after update = %+v, want %+v", got, revised)
		}
		return tx.Products().Remove(ctx, b.ID())
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := list(ctx, t, s); len(got) != 1 || got[0] != revised {
		t.Fatalf("after Update+Remove, List = %v, want only %v", got, revised)
	}
}

func unknownID(ctx context.Context, t *testing.T, s Store) {
	ops := map[string]func(ctx context.Context, r app.ProductRepository) error{
		"Get": func(ctx context.Context, r app.ProductRepository) error { _, err := r.Get(ctx, "nope"); return err },
		"Update": func(ctx context.Context, r app.ProductRepository) error {
			return r.Update(ctx, mustProduct(t, "nope", "N-1"))
		},
		"Remove": func(ctx context.Context, r app.ProductRepository) error { return r.Remove(ctx, "nope") },
	}
	for name, op := range ops {
		err := s.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error { return op(ctx, tx.Products()) })
		if !errors.Is(err, domain.ErrProductNotFound) {
			t.Errorf("%s(unknown id) = %v, want ErrProductNotFound", name, err)
		}
	}
}

func takenSKU(ctx context.Context, t *testing.T, s Store) {
	if err := add(ctx, s, mustProduct(t, "id-1", "MUG-1")); err != nil {
		t.Fatal(err)
	}
	err := add(ctx, s, mustProduct(t, "id-2", "OTHER"), mustProduct(t, "id-3", "MUG-1"))
	if !errors.Is(err, domain.ErrSKUAlreadyExists) {
		t.Fatalf("Add(taken SKU) = %v, want ErrSKUAlreadyExists", err)
	}
	if got := list(ctx, t, s); len(got) != 1 {
		t.Fatalf("after a failed unit of work, %d products, want 1 (OTHER rolled back)", len(got))
	}
	if got := pending(ctx, t, s, 10); len(got) != 1 {
		t.Fatalf("after a failed unit of work, %d outbox rows, want 1", len(got))
	}
}

func rollbackOnError(ctx context.Context, t *testing.T, s Store) {
	err := s.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		p := mustProduct(t, "id-1", "MUG-1")
		if err := tx.Products().Add(ctx, p); err != nil {
			return err
		}
		if err := tx.Outbox().Append(ctx, outbox.ProductCreated(p)); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("WithinTx = %v, want fn's error returned as is", err)
	}
	if got := list(ctx, t, s); len(got) != 0 {
		t.Fatalf("the product survived a failed unit of work: %v", got)
	}
	if got := pending(ctx, t, s, 10); len(got) != 0 {
		t.Fatalf("the outbox row survived a failed unit of work: %v", got)
	}
}

func rollbackOnPanic(ctx context.Context, t *testing.T, s Store) {
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not go on after the rollback")
			}
		}()
		_ = s.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
			if err := tx.Products().Add(ctx, mustProduct(t, "id-1", "MUG-1")); err != nil {
				return err
			}
			panic("use case bug")
		})
	}()
	// The transaction must be over: a leaked one would hold SQLite's only connection.
	if err := add(ctx, s, mustProduct(t, "id-2", "MUG-2")); err != nil {
		t.Fatalf("after a panic, the store is stuck: %v", err)
	}
	if got := list(ctx, t, s); len(got) != 1 || got[0].SKU() != "MUG-2" {
		t.Fatalf("after a panic, List = %v, want only MUG-2", got)
	}
}

func cancelledContext(ctx context.Context, t *testing.T, s Store) {
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := add(cancelled, s, mustProduct(t, "id-1", "MUG-1")); err == nil {
		t.Fatal("a unit of work with a cancelled context succeeded")
	}
	if got := list(ctx, t, s); len(got) != 0 {
		t.Fatalf("a cancelled unit of work wrote %v", got)
	}
}

func outboxPending(ctx context.Context, t *testing.T, s Store) {
	for i := range 3 {
		if err := add(ctx, s, mustProduct(t, fmt.Sprintf("id-%d", i), fmt.Sprintf("SKU-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	all := pending(ctx, t, s, 10)
	if len(all) != 3 {
		t.Fatalf("Pending = %d messages, want 3", len(all))
	}
	for i, m := range all {
		if m.Topic != outbox.TopicProductCreated || m.ID == "" || len(m.Payload) == 0 {
			t.Fatalf("message %d = %+v, want a product.created with an id and a payload", i, m)
		}
		if want := fmt.Sprintf(`"sku":"SKU-%d"`, i); !strings.Contains(string(m.Payload), want) {
			t.Fatalf("message %d payload %s, want oldest first (%s)", i, m.Payload, want)
		}
	}
	if got := pending(ctx, t, s, 2); len(got) != 2 || got[0].ID != all[0].ID {
		t.Fatalf("Pending(limit 2) = %v, want the 2 oldest", got)
	}
	err := s.WithinRelayTx(ctx, func(ctx context.Context, tx outbox.RelayTx) error { return tx.MarkSent(ctx, all[0].ID) })
	if err != nil {
		t.Fatal(err)
	}
	if got := pending(ctx, t, s, 10); len(got) != 2 || got[0].ID != all[1].ID {
		t.Fatalf("after MarkSent, Pending = %v, want the other 2", got)
	}
}

func markSentRollback(ctx context.Context, t *testing.T, s Store) {
	if err := add(ctx, s, mustProduct(t, "id-1", "MUG-1")); err != nil {
		t.Fatal(err)
	}
	m := pending(ctx, t, s, 1)[0]
	err := s.WithinRelayTx(ctx, func(ctx context.Context, tx outbox.RelayTx) error {
		if err := tx.MarkSent(ctx, m.ID); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("WithinRelayTx = %v, want fn's error", err)
	}
	if got := pending(ctx, t, s, 10); len(got) != 1 {
		t.Fatalf("a rolled-back MarkSent took effect: pending %v", got)
	}
}

func processedOnce(ctx context.Context, t *testing.T, s Store) {
	mark := func(consumer, id string, fail bool) (bool, error) {
		var first bool
		err := s.WithinInboxTx(ctx, func(ctx context.Context, tx outbox.InboxTx) error {
			var err error
			first, err = tx.MarkProcessed(ctx, consumer, id)
			if err == nil && fail {
				return errBoom
			}
			return err
		})
		return first, err
	}
	steps := []struct {
		consumer, id string
		fail         bool
		want         bool
	}{
		{"audit", "m-1", true, true},   // rolled back: not recorded
		{"audit", "m-1", false, true},  // so the redelivery is the first
		{"audit", "m-1", false, false}, // and the next one a duplicate
		{"search", "m-1", false, true}, // another consumer keeps its own record
		{"audit", "m-2", false, true},
	}
	for i, step := range steps {
		first, err := mark(step.consumer, step.id, step.fail)
		if step.fail {
			if !errors.Is(err, errBoom) {
				t.Fatalf("step %d: %v, want the handler's error", i, err)
			}
		} else if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if first != step.want {
			t.Fatalf("step %d: MarkProcessed(%s, %s) = %v, want %v", i, step.consumer, step.id, first, step.want)
		}
	}
}

func productFeedCounts(ctx context.Context, t *testing.T, s Store) {
	apply := func(id string, fail bool) error {
		return s.WithinInboxTx(ctx, func(ctx context.Context, tx outbox.InboxTx) error {
			if err := tx.ApplyToProductFeed(ctx, id); err != nil {
				return err
			}
			if fail {
				return errBoom
			}
			return nil
		})
	}
	for _, step := range []struct {
		id   string
		fail bool
	}{{"p-1", false}, {"p-2", true}, {"p-1", false}, {"p-3", false}} {
		if err := apply(step.id, step.fail); (err != nil) != step.fail {
			t.Fatalf("apply %s (fail %v) = %v", step.id, step.fail, err)
		}
	}
	feed, err := s.ProductFeed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) != 2 || feed["p-1"] != 2 || feed["p-3"] != 1 {
		t.Fatalf("product_feed = %v, want p-1: 2, p-3: 1 (p-2 rolled back)", feed)
	}
}
