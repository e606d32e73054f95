// Package migrations holds the catalog's schema, one numbered SQL file per change and per
// dialect, embedded in the binary (embed.FS) and applied at start by Apply.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// Dialects with a folder of migrations.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// ErrUnknownDialect is returned by Apply for a dialect without migrations.
var ErrUnknownDialect = errors.New("migrations: unknown dialect")

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// List returns the dialect's migrations in version order.
func List(dialect string) ([]Migration, error) {
	if dialect != SQLite && dialect != Postgres {
		return nil, fmt.Errorf("%w %q", ErrUnknownDialect, dialect)
	}
	entries, err := fs.ReadDir(files, dialect)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, entry := range entries {
		number, _, ok := strings.Cut(entry.Name(), "_")
		version, err := strconv.Atoi(number)
		if !ok || err != nil {
			return nil, fmt.Errorf("migrations: %s/%s: the name must start with a number and '_'", dialect, entry.Name())
		}
		text, err := fs.ReadFile(files, path.Join(dialect, entry.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: version, Name: entry.Name(), SQL: string(text)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	return out, nil
}

// Apply runs, in order, each migration not yet recorded in schema_migrations, each in its own
// transaction with its record; it returns how many it applied. Running it again is a no-op.
func Apply(ctx context.Context, db *sql.DB, dialect string) (int, error) {
	all, err := List(dialect)
	if err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	applied := 0
	for _, m := range all {
		done, err := apply(ctx, db, dialect, m)
		if err != nil {
			return applied, fmt.Errorf("migrations: %s: %w", m.Name, err)
		}
		if done {
			applied++
		}
	}
	return applied, nil
}

func apply(ctx context.Context, db *sql.DB, dialect string, m Migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if !done || err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	if dialect == Postgres { // two instances starting at once apply each migration once
		if _, err := tx.ExecContext(ctx, "LOCK TABLE schema_migrations IN EXCLUSIVE MODE"); err != nil {
			return false, err
		}
	}
	seenQuery := "SELECT count(*) FROM schema_migrations WHERE version = ?"
	recordQuery := "INSERT INTO schema_migrations (version, name) VALUES (?, ?)"
	if dialect == Postgres {
		seenQuery = "SELECT count(*) FROM schema_migrations WHERE version = $1"
		recordQuery = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"
	}
	var seen int
	if err := tx.QueryRowContext(ctx, seenQuery, m.Version).Scan(&seen); err != nil {
		return false, err
	}
	if seen > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, recordQuery, m.Version, m.Name); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return true, nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
