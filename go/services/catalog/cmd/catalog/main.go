// Command catalog serves the product catalog over HTTP:
//
//	catalog --host 127.0.0.1 --port 8000 [--db sqlite:/var/lib/catalog.db]
//
// Bad flags print one line and exit 2; a port that cannot be bound prints one line and exits
// 3; SIGTERM or Ctrl-C drain in-flight requests and exit 0. CATALOG_BROKER_URL=nats://host:4222
// publishes the outbox to NATS JetStream (broker.go): a malformed value exits 2, a broker that
// does not answer at start exits 1, each with one line.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"go.opentelemetry.io/otel/trace/noop"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/fanout"
	"languagetracks.example/go/services/catalog/internal/observability"
	"languagetracks.example/go/services/catalog/internal/platform"
	"languagetracks.example/go/services/catalog/internal/ports"
	"languagetracks.example/go/services/catalog/internal/resilience"
)

// Exit codes, the same as the Python twin's.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitBind  = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it with their own arguments and context.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, err := platform.ParseFlags(args)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "catalog: %v\n", err)
		return exitUsage
	}
	logger := platform.NewLogger(stderr)
	dbSpec, dbSource := os.Getenv("CATALOG_DB"), "CATALOG_DB"
	if cfg.DBSet {
		dbSpec, dbSource = cfg.DB, "--db"
	}
	brokerCfg, err := brokerFromEnv(os.Getenv)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "catalog: %v\n", err)
		return exitUsage
	}
	store, stopStore, err := openStore(ctx, dbSpec, dbSource, brokerCfg, logger)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "catalog: %v\n", err)
		if errors.Is(err, adapters.ErrBadDSN) {
			return exitUsage
		}
		return exitError
	}
	defer stopStore()
	catalog, err := app.NewCatalog(app.Config{UnitOfWork: store})
	if err != nil {
		logger.Error("wiring failed", "error", err.Error())
		return exitError
	}
	telemetry := newTelemetry(logger)
	telemetry.ReadOutboxLag(store.OutboxLag)
	fanOut, limit, err := fromEnv(os.Getenv, telemetry)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "catalog: %v\n", err)
		return exitUsage
	}
	readiness := new(platform.Readiness)
	drain, err := drainFromEnv(os.Getenv)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "catalog: %v\n", err)
		return exitUsage
	}
	drain.Readiness = readiness
	server, err := ports.NewServer(ports.ServerConfig{Products: catalog, Logger: logger, Details: fanOut, RateLimit: limit, NotReady: readyCheck(readiness, store)})
	if err != nil {
		logger.Error("wiring failed", "error", err.Error())
		return exitError
	}
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.Addr())
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "catalog: cannot listen on %s: %v\n", cfg.Addr(), errors.Unwrap(err))
		return exitBind
	}
	// net/http's own refusals (a request it cannot parse) answer problem+json too.
	if err := platform.Serve(ctx, ports.ProblemListener(ln), telemetry.Middleware(server), logger, drain); err != nil {
		logger.Error("server stopped", "error", err.Error())
		return exitError
	}
	return exitOK
}

// newTelemetry is the service's telemetry. No trace exporter is wired, so spans go nowhere: an
// explicit no-op provider makes starting one free. (The global provider does the same work with
// an allocation per span, to hand its tracers over to a provider set later; to export traces,
// pass an SDK provider here.)
func newTelemetry(logger *slog.Logger) *observability.Telemetry {
	return observability.New(noop.NewTracerProvider(), logger)
}

// fromEnv reads the fan-out (lab 7) and the edge's rate limit from the environment; the
// variables are the Python twin's, plus CATALOG_RATE_LIMIT_RPS and CATALOG_RATE_LIMIT_BURST.
func fromEnv(getenv func(string) string, telemetry *observability.Telemetry) (ports.DetailsService, ports.RateLimit, error) {
	policy, err := fanout.PolicyFromEnv(getenv)
	if err != nil {
		return nil, ports.RateLimit{}, err
	}
	upstreams, err := fanout.UpstreamsFromEnv(getenv, policy.MaxConcurrency)
	if err != nil {
		return nil, ports.RateLimit{}, err
	}
	resilient, err := resilience.PolicyFromEnv(getenv)
	if err != nil {
		return nil, ports.RateLimit{}, err
	}
	aggregator, err := fanout.NewAggregator(resilience.Wrap(upstreams, resilient, telemetry), policy)
	if err != nil {
		return nil, ports.RateLimit{}, err
	}
	rps, err := fanout.PositiveInt(getenv, "CATALOG_RATE_LIMIT_RPS", int(ports.DefaultRateLimit.PerSecond))
	if err != nil {
		return nil, ports.RateLimit{}, err
	}
	burst, err := fanout.PositiveInt(getenv, "CATALOG_RATE_LIMIT_BURST", ports.DefaultRateLimit.Burst)
	if err != nil {
		return nil, ports.RateLimit{}, err
	}
	return resilience.Aggregator{Inner: aggregator}, ports.RateLimit{PerSecond: float64(rps), Burst: burst}, nil
}
