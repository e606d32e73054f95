package migrations_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"languagetracks.example/go/services/catalog/internal/storage/migrations"
)

func TestEveryDialectHasTheSameVersions(t *testing.T) {
	sqlite, err := migrations.List(migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	postgres, err := migrations.List(migrations.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(sqlite) == 0 || len(sqlite) != len(postgres) {
		t.Fatalf("%d SQLite and %d PostgreSQL migrations, want the same non-zero number", len(sqlite), len(postgres))
	}
	for i := range sqlite {
		if sqlite[i].Version != postgres[i].Version || sqlite[i].Version != i+1 {
			t.Errorf("migration %d: versions %d and %d, want %d in both", i, sqlite[i].Version, postgres[i].Version, i+1)
		}
	}
	if _, err := migrations.List("mysql"); !errors.Is(err, migrations.ErrUnknownDialect) {
		t.Errorf("List(mysql) = %v, want ErrUnknownDialect", err)
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	all, _ := migrations.List(migrations.SQLite)
	for i, want := range []int{len(all), 0} {
		n, err := migrations.Apply(t.Context(), db, migrations.SQLite)
		if err != nil || n != want {
			t.Fatalf("Apply #%d = %d, %v; want %d applied", i+1, n, err, want)
		}
	}
	var tables int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('products', 'outbox', 'processed_messages', 'product_feed')").Scan(&tables); err != nil || tables != 4 {
		t.Fatalf("tables = %d, %v; want products, outbox, processed_messages, product_feed", tables, err)
	}
}
