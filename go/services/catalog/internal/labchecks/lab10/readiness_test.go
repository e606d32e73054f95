package lab10

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/platform"
	"languagetracks.example/go/services/catalog/internal/ports"
)

const dependenciesFile = "internal/platform/dependencies.go"

func readinessTodo(n int) string {
	return strings.Replace(todo(n), dockerfileRel, dependenciesFile, 1)
}

// database is a real SQLite database in memory, behind the store the catalog uses.
func database(t *testing.T) *sql.DB {
	t.Helper()
	store, err := adapters.OpenSQLite(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store.DB()
}

// notReady runs platform.NotReady with a guard: a readiness check must answer, or the
// orchestrator's probe times out and learns nothing.
func notReady(t *testing.T, readiness *platform.Readiness, deps ...platform.Dependency) (string, time.Duration) {
	t.Helper()
	started := time.Now()
	answer := make(chan string, 1)
	go func() { answer <- platform.NotReady(context.Background(), readiness, deps...) }()
	select {
	case reason := <-answer:
		return reason, time.Since(started)
	case <-time.After(5 * time.Second):
		t.Fatalf("NotReady did not answer within 5 s: bound each check by DependencyTimeout (%s)", readinessTodo(4))
		return "", 0
	}
}

func TestDatabaseCheckRunsAQuery(t *testing.T) {
	db := database(t)
	if err := platform.DatabaseCheck(db)(context.Background()); err != nil {
		t.Fatalf("DatabaseCheck on a live database = %v, want nil (%s)", err, readinessTodo(3))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := platform.DatabaseCheck(db)(context.Background()); err == nil {
		t.Fatalf("DatabaseCheck on a closed database = nil: it must run SELECT 1 and return its error (%s)", readinessTodo(3))
	}
}

func TestReadyWhenTheDatabaseAnswers(t *testing.T) {
	db := database(t)
	reason, _ := notReady(t, new(platform.Readiness), platform.Dependency{Name: "database", Check: platform.DatabaseCheck(db)})
	if reason != "" {
		t.Fatalf("NotReady with a live database = %q, want \"\" (ready) (%s)", reason, readinessTodo(4))
	}
}

func TestNotReadyWhileDrainingWhateverTheDatabase(t *testing.T) {
	readiness := new(platform.Readiness)
	readiness.Drain()
	reason, _ := notReady(t, readiness, platform.Dependency{Name: "database", Check: platform.DatabaseCheck(database(t))})
	if reason != "draining" {
		t.Fatalf("NotReady while draining = %q, want \"draining\" (lab 9's readiness flip comes first)", reason)
	}
}

func TestNotReadyWhileTheDatabaseCannotAnswer(t *testing.T) {
	closed := database(t)
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		check func(ctx context.Context) error
		want  string // in the reason, after "database: "
	}{
		{"closed (the real query)", platform.DatabaseCheck(closed), "closed"},
		{"refuses connections", func(context.Context) error { return errors.New("connection refused") }, "connection refused"},
		{"never answers", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, took := notReady(t, new(platform.Readiness),
				platform.Dependency{Name: "cache", Check: func(context.Context) error { return nil }},
				platform.Dependency{Name: "database", Check: tt.check})
			if !strings.HasPrefix(reason, "database: ") || !strings.Contains(reason, tt.want) {
				t.Fatalf("NotReady with the database down (%s) = %q, want \"database: …%s…\": ask every dependency and name the one that failed (%s)",
					tt.name, reason, tt.want, readinessTodo(4))
			}
			if limit := platform.DependencyTimeout + 500*time.Millisecond; took > limit {
				t.Fatalf("NotReady took %s, more than %s: bound each check by DependencyTimeout (%s)", took, limit, readinessTodo(4))
			}
		})
	}
}

// Over HTTP, as the orchestrator sees it: the catalog's handler with NotReady wired as main
// wires it. The database goes away: /readyz turns 503 and says why; /healthz (liveness) stays
// 200 — a restart would not bring the database back.
func TestReadyzOverHTTPFollowsTheDatabase(t *testing.T) {
	db := database(t)
	catalog, err := app.NewCatalog(app.Config{Repository: adapters.NewMemoryProductRepository()})
	if err != nil {
		t.Fatal(err)
	}
	readiness := new(platform.Readiness)
	deps := []platform.Dependency{{Name: "database", Check: platform.DatabaseCheck(db)}}
	server, err := ports.NewServer(ports.ServerConfig{
		Products: catalog,
		NotReady: func(ctx context.Context) string { return platform.NotReady(ctx, readiness, deps...) },
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, map[string]string) {
		t.Helper()
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil))
		body := map[string]string{}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("GET %s: body %q is not a JSON object of strings", path, rec.Body.String())
		}
		return rec.Code, body
	}
	if code, body := get("/readyz"); code != http.StatusOK || body["status"] != "ready" {
		t.Fatalf("GET /readyz with the database up = %d %v, want 200 {\"status\":\"ready\"} (%s)", code, body, readinessTodo(4))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	code, body := get("/readyz")
	if code != http.StatusServiceUnavailable || body["status"] != "not_ready" || !strings.HasPrefix(body["reason"], "database: ") {
		t.Fatalf("GET /readyz with the database down = %d %v, want 503 {\"status\":\"not_ready\",\"reason\":\"database: …\"} (%s)", code, body, readinessTodo(4))
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Fatalf("GET /healthz with the database down = %d, want 200: liveness never asks dependencies", code)
	}
}
