package main

import (
	"context"
	"database/sql"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/platform"
)

// readyCheck is what GET /readyz asks on every probe (lab 10): not ready while draining
// (lab 9), nor while the store's database cannot answer SELECT 1 within
// platform.DependencyTimeout.
func readyCheck(readiness *platform.Readiness, store adapters.Store) func(ctx context.Context) string {
	deps := dependencies(store)
	return func(ctx context.Context) string { return platform.NotReady(ctx, readiness, deps...) }
}

// dependencies are the store's database when it has one (SQLite, PostgreSQL); the in-memory
// adapter has none.
func dependencies(store adapters.Store) []platform.Dependency {
	if withDB, ok := store.(interface{ DB() *sql.DB }); ok {
		return []platform.Dependency{{Name: "database", Check: platform.DatabaseCheck(withDB.DB())}}
	}
	return nil
}
