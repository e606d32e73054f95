// Command gateway is the HTTP edge in front of the gRPC recommender:
//
//	GATEWAY_RECOMMENDER_ADDR=127.0.0.1:50051 gateway --host 127.0.0.1 --port 8080
//	GATEWAY_RECOMMENDERS=v1=127.0.0.1:5001,v2=127.0.0.1:5002 GATEWAY_WEIGHTS=v1=100,v2=0 gateway
//
// A bad command line or environment prints one line and exits 2; a port that cannot be bound
// prints one line and exits 3; SIGTERM or Ctrl-C turn /readyz to 503, drain in-flight
// requests (streams too) and exit 0.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/adapters"
	"languagetracks.example/go/services/gateway/internal/metrics"
	"languagetracks.example/go/services/gateway/internal/platform"
	"languagetracks.example/go/services/gateway/internal/ports"
)

// Exit codes, the same as the catalogs'.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitBind  = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it with their own arguments and context.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := platform.Load(args, getenv)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitUsage
	}
	logger := platform.NewLogger(stderr)
	tp, shutdownTracing, err := platform.NewTracerProvider(cfg.TraceFile)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitUsage
	}
	defer func() { _ = shutdownTracing(context.WithoutCancel(ctx)) }()
	propagator := platform.Propagator()
	// One long-lived ClientConn per upstream: a weight change only moves new calls. Each has a
	// health watcher (a goroutine polling gRPC health) that routing and /readyz read.
	routes := make([]adapters.Route, 0, len(cfg.Upstreams))
	var conns []*grpc.ClientConn
	var watchers []*adapters.HealthWatcher
	defer func() {
		for _, w := range watchers {
			w.Close()
		}
		for _, conn := range conns {
			_ = conn.Close()
		}
	}()
	for _, up := range cfg.Upstreams {
		conn, err := adapters.Dial(adapters.DialConfig{Target: up.Addr, TracerProvider: tp, Propagator: propagator})
		if err != nil {
			logger.Error("wiring failed", "upstream", up.Name, "error", err.Error())
			return exitError
		}
		conns = append(conns, conn)
		watcher := adapters.NewHealthWatcher(adapters.HealthWatcherConfig{Name: up.Name, Conn: conn, Service: cfg.HealthService,
			Interval: cfg.HealthInterval, Logger: logger})
		watchers = append(watchers, watcher)
		routes = append(routes, adapters.Route{Name: up.Name, Client: recv1.NewRecommendationServiceClient(conn), Health: watcher})
	}
	registry := metrics.New()
	router, err := adapters.NewRouter(adapters.RouterConfig{Routes: routes, Weights: cfg.Weights, Metrics: registry, Logger: logger})
	if err != nil {
		logger.Error("wiring failed", "error", err.Error())
		return exitError
	}
	logger.Info("upstream weights", "weights", router.Weights().String(router.Names()), "by", "GATEWAY_WEIGHTS")
	server, err := ports.NewServer(ports.ServerConfig{
		Recommender: router,
		Readiness:   router,
		Budget:      cfg.Budget,
		Logger:      logger,
		Tracer:      tp.Tracer("languagetracks.example/go/services/gateway"),
		Propagator:  propagator,
		Metrics:     registry,
		Admin:       ports.AdminConfig{Token: cfg.AdminToken, Weights: router},
		Tokens:      ports.NewTokenVerifier(cfg.Tokens),
	})
	if err != nil {
		logger.Error("wiring failed", "error", err.Error())
		return exitError
	}
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.Addr())
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "gateway: cannot listen on %s: %v\n", cfg.Addr(), errors.Unwrap(err))
		return exitBind
	}
	if err := platform.Serve(ctx, ports.ProblemListener(ln), server, server, cfg.DrainDelay, logger); err != nil {
		logger.Error("server stopped", "error", err.Error())
		return exitError
	}
	return exitOK
}
