package adapters_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
	"languagetracks.example/go/services/catalog/internal/testsupport"
)

var postgres *testsupport.Postgres

// TestMain starts one PostgreSQL server for the package (skipped tests without one, unless
// CI=true), and fails the run if a goroutine outlives the tests.
func TestMain(m *testing.M) {
	postgres = testsupport.StartPostgres()
	code := m.Run()
	postgres.Stop()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			_, _ = os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

func closeOnCleanup(t *testing.T, s adapters.Store) testsupport.Store {
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStorePorts(t *testing.T) {
	adaptersUnderTest := []struct {
		name string
		open testsupport.OpenStore
	}{
		{"memory", func(t *testing.T) testsupport.Store {
			s, err := adapters.Open(t.Context(), "memory")
			if err != nil {
				t.Fatal(err)
			}
			return closeOnCleanup(t, s)
		}},
		{"sqlite in memory", func(t *testing.T) testsupport.Store {
			s, err := adapters.Open(t.Context(), ":memory:")
			if err != nil {
				t.Fatal(err)
			}
			return closeOnCleanup(t, s)
		}},
		{"sqlite file", func(t *testing.T) testsupport.Store {
			s, err := adapters.Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "catalog.db"))
			if err != nil {
				t.Fatal(err)
			}
			return closeOnCleanup(t, s)
		}},
		{"postgres", func(t *testing.T) testsupport.Store {
			s, err := adapters.Open(t.Context(), postgres.NewDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			return closeOnCleanup(t, s)
		}},
	}
	for _, adapter := range adaptersUnderTest {
		t.Run(adapter.name, func(t *testing.T) {
			testsupport.RunStoreSuite(t, adapter.open)
		})
	}
}

func TestCommitErrorIsReturned(t *testing.T) {
	ctx := t.Context()
	db, commits, err := testsupport.OpenFailingCommits("sqlite", "file:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := adapters.NewSQLStore(ctx, db, adapters.DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	price, _ := domain.NewMoney(100, "EUR")
	commits.Set(true)
	err = store.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		return tx.Products().Add(ctx, domain.NewProduct("id-1", "MUG-1", "Mug", price))
	})
	if !errors.Is(err, testsupport.ErrInjectedCommit) {
		t.Fatalf("WithinTx with a failing commit = %v, want the commit error", err)
	}
	commits.Set(false)
	_ = store.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		if _, err := tx.Products().Get(ctx, "id-1"); !errors.Is(err, domain.ErrProductNotFound) {
			t.Errorf("after a failed commit, Get = %v, want ErrProductNotFound", err)
		}
		return nil
	})
}

func TestOpenRejectsUnknownSpecs(t *testing.T) {
	for _, spec := range []string{"mysql://x", "sqlite:", "nope"} {
		if _, err := adapters.Open(context.Background(), spec); !errors.Is(err, adapters.ErrBadDSN) {
			t.Errorf("Open(%q) = %v, want ErrBadDSN", spec, err)
		}
	}
}

// Two relays on PostgreSQL take disjoint batches: Pending locks its rows FOR UPDATE SKIP
// LOCKED, so the second skips what the first holds instead of waiting or duplicating it.
func TestPostgresRelaysSkipLockedRows(t *testing.T) {
	ctx := t.Context()
	s, err := adapters.Open(ctx, postgres.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	store := closeOnCleanup(t, s)
	err = store.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
		for _, sku := range []domain.SKU{"A", "B", "C", "D"} {
			price, _ := domain.NewMoney(1, "EUR")
			if err := tx.Outbox().Append(ctx, outbox.ProductCreated(domain.NewProduct(domain.ProductID("id-"+sku), sku, "Mug", price))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	var first []outbox.Message
	done := make(chan error, 1)
	go func() {
		done <- store.WithinRelayTx(ctx, func(ctx context.Context, tx outbox.RelayTx) error {
			var err error
			first, err = tx.Pending(ctx, 2)
			close(held)
			<-release
			return err
		})
	}()
	<-held
	var second []outbox.Message
	err = store.WithinRelayTx(ctx, func(ctx context.Context, tx outbox.RelayTx) error {
		var err error
		second, err = tx.Pending(ctx, 10)
		return err
	})
	close(release)
	if firstErr := <-done; firstErr != nil || err != nil {
		t.Fatalf("relay transactions: %v, %v", firstErr, err)
	}
	if len(first) != 2 || len(second) != 2 {
		t.Fatalf("batches of %d and %d, want 2 and the other 2", len(first), len(second))
	}
	for _, a := range first {
		for _, b := range second {
			if a.ID == b.ID {
				t.Fatalf("message %s was taken by both relays", a.ID)
			}
		}
	}
}

// The pool: one connection, kept, for ":memory:" (each connection is its own database); several,
// all kept idle (no reconnect churn), for a file in WAL mode.
func TestSQLitePools(t *testing.T) {
	ctx := t.Context()
	memory, err := adapters.OpenSQLite(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = memory.Close() })
	if n := memory.DB().Stats().MaxOpenConnections; n != 1 {
		t.Errorf(":memory: max open connections = %d, want 1", n)
	}
	file, err := adapters.OpenSQLite(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = file.Close() })
	if n := file.DB().Stats().MaxOpenConnections; n < 2 {
		t.Errorf("file max open connections = %d, want several", n)
	}
	var mode string
	if err := file.DB().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
}

// OutboxLag counts unsent messages up to its limit, on every adapter, and a relay's MarkSent
// takes a message out of the count once committed.
func TestOutboxLag(t *testing.T) {
	specs := []struct {
		name string
		spec func(t *testing.T) string
	}{
		{"memory", func(*testing.T) string { return "memory" }},
		{"sqlite in memory", func(*testing.T) string { return ":memory:" }},
		{"sqlite file", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "lag.db") }},
		{"postgres", func(t *testing.T) string { return postgres.NewDatabase(t) }},
	}
	for _, tc := range specs {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s, err := adapters.Open(ctx, tc.spec(t))
			if err != nil {
				t.Fatal(err)
			}
			closeOnCleanup(t, s)
			lag := func(limit int) int {
				t.Helper()
				n, err := s.OutboxLag(ctx, limit)
				if err != nil {
					t.Fatalf("OutboxLag: %v", err)
				}
				return n
			}
			if n := lag(10); n != 0 {
				t.Fatalf("empty outbox: lag %d, want 0", n)
			}
			price, _ := domain.NewMoney(1, "EUR")
			err = s.WithinTx(ctx, func(ctx context.Context, tx app.Tx) error {
				for _, sku := range []domain.SKU{"A", "B", "C"} {
					if err := tx.Outbox().Append(ctx, outbox.ProductCreated(domain.NewProduct(domain.ProductID("id-"+sku), sku, "Mug", price))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := lag(10); n != 3 {
				t.Fatalf("3 unsent: lag %d, want 3", n)
			}
			if n := lag(2); n != 2 {
				t.Fatalf("limit 2: lag %d, want 2", n)
			}
			err = s.WithinRelayTx(ctx, func(ctx context.Context, tx outbox.RelayTx) error {
				pending, err := tx.Pending(ctx, 1)
				if err != nil {
					return err
				}
				return tx.MarkSent(ctx, pending[0].ID)
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := lag(10); n != 2 {
				t.Fatalf("after one sent: lag %d, want 2", n)
			}
		})
	}
}
