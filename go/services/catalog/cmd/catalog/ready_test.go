package main

import (
	"context"
	"strings"
	"testing"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/platform"
)

func TestReadyCheckAsksTheStoresDatabase(t *testing.T) {
	ctx := context.Background()
	memory, err := adapters.Open(ctx, "memory")
	if err != nil {
		t.Fatal(err)
	}
	if deps := dependencies(memory); len(deps) != 0 {
		t.Fatalf("the in-memory store has no database, got %d dependencies", len(deps))
	}
	store, err := adapters.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	readiness := new(platform.Readiness)
	check := readyCheck(readiness, store)
	if reason := check(ctx); reason != "" {
		t.Fatalf("ready check with a live SQLite database = %q, want \"\"", reason)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if reason := check(ctx); !strings.HasPrefix(reason, "database: ") {
		t.Fatalf("ready check with the database closed = %q, want \"database: ...\"", reason)
	}
	readiness.Drain()
	if reason := check(ctx); reason != "draining" {
		t.Fatalf("ready check while draining = %q, want \"draining\"", reason)
	}
}
