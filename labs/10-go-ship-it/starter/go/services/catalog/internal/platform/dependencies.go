package platform

import (
	"context"
	"database/sql"
	"time"
)

// Dependency is something the service needs to answer its requests — here the database. While
// its Check fails, GET /readyz answers 503 and load balancers route elsewhere (lab 10); the
// process is not restarted: liveness (/healthz) never looks at dependencies, or one database
// outage would restart every replica and fix nothing.
type Dependency struct {
	// Name starts the /readyz reason when Check fails, e.g. "database".
	Name string
	// Check returns nil when the dependency answers. It must return once ctx is done.
	Check func(ctx context.Context) error
}

// DependencyTimeout bounds each readiness check: a dependency that has not answered within it
// counts as down (a probe that hangs tells the orchestrator nothing).
const DependencyTimeout = time.Second

// DatabaseCheck is the readiness check of a database: a trivial query, SELECT 1, must answer.
func DatabaseCheck(_ *sql.DB) func(ctx context.Context) error {
	// TODO(lab 10) step 3: return a check that runs SELECT 1 with db.QueryRowContext(ctx, …)
	// and Scans the answer; its error, wrapped ("SELECT 1: %w"), says the database is down.
	return func(context.Context) error { return nil }
}

// NotReady says why the service must not take traffic, "" when it may: "draining" once the
// shutdown began (lab 9; nil readiness: never), otherwise "<name>: <why>" for the first
// dependency that fails its Check or does not answer within DependencyTimeout.
func NotReady(_ context.Context, readiness *Readiness, _ ...Dependency) string {
	if readiness != nil && !readiness.Ready() {
		return "draining"
	}
	// TODO(lab 10) step 4: ask each dependency in turn, each within its own
	// context.WithTimeout(ctx, DependencyTimeout) (defer the cancel), and return
	// dep.Name + ": " + the error of the first that fails — "no answer within 1s" when it was
	// the deadline. Until then the service says it is ready with its database down.
	return ""
}
