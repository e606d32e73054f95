package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
// A query, not db.PingContext: it proves the server answers SQL, through the same pool the
// requests use.
func DatabaseCheck(db *sql.DB) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var one int
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("SELECT 1: %w", err)
		}
		return nil
	}
}

// NotReady says why the service must not take traffic, "" when it may: "draining" once the
// shutdown began (lab 9; nil readiness: never), otherwise "<name>: <why>" for the first
// dependency that fails its Check or does not answer within DependencyTimeout.
func NotReady(ctx context.Context, readiness *Readiness, deps ...Dependency) string {
	if readiness != nil && !readiness.Ready() {
		return "draining"
	}
	for _, dep := range deps {
		if err := check(ctx, dep); err != nil {
			return dep.Name + ": " + err.Error()
		}
	}
	return ""
}

// check runs one dependency's Check within DependencyTimeout.
func check(ctx context.Context, dep Dependency) error {
	ctx, cancel := context.WithTimeout(ctx, DependencyTimeout)
	defer cancel()
	err := dep.Check(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s", DependencyTimeout)
	}
	return err
}
