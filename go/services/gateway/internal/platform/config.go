// Package platform holds what the gateway needs and no use case cares about: command-line
// and environment configuration, the JSON logger, tracing setup, and serving HTTP with a
// graceful drain.
package platform

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"languagetracks.example/go/services/gateway/internal/app"
)

// Config is the gateway's configuration: flags for where it listens, the environment for the
// rest (the variables are in the README).
type Config struct {
	// Host and Port are where the HTTP edge listens; port 0 picks a free one.
	Host string
	Port int
	// RecommenderAddr is the recommender's host:port (GATEWAY_RECOMMENDER_ADDR, required).
	RecommenderAddr string
	// Budget is GATEWAY_REQUEST_BUDGET_MS (default 1000) and GATEWAY_DEADLINE_MARGIN_MS
	// (default 50).
	Budget app.Budget
	// ReadyCacheTTL is how long a health answer is reused (GATEWAY_READY_CACHE_MS, 1000).
	ReadyCacheTTL time.Duration
	// DrainDelay is how long /readyz says 503 before the listener closes on SIGTERM
	// (GATEWAY_DRAIN_DELAY_MS, default 0).
	DrainDelay time.Duration
	// HealthService is the name asked of the gRPC health service (GATEWAY_HEALTH_SERVICE,
	// default "": the whole server).
	HealthService string
	// TraceFile, when set, receives every finished span as one JSON object per line
	// (GATEWAY_TRACE_FILE).
	TraceFile string
}

// Addr is host:port for net.Listen.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// ErrUsage marks a bad command line or environment; main prints it as one line and exits 2.
var ErrUsage = errors.New("usage: gateway [--host HOST] [--port PORT] with GATEWAY_RECOMMENDER_ADDR=host:port")

// Load reads --host and --port from args and the rest from getenv.
func Load(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := Config{}
	fs.StringVar(&cfg.Host, "host", "127.0.0.1", "address to listen on")
	fs.IntVar(&cfg.Port, "port", 8080, "TCP port to listen on (0: any free port)")
	if err := fs.Parse(args); err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return Config{}, fmt.Errorf("%w: --port must be 0-65535, got %d", ErrUsage, cfg.Port)
	}
	if cfg.Host == "" {
		return Config{}, fmt.Errorf("%w: --host must not be empty", ErrUsage)
	}
	cfg.RecommenderAddr = getenv("GATEWAY_RECOMMENDER_ADDR")
	if cfg.RecommenderAddr == "" {
		return Config{}, fmt.Errorf("%w: GATEWAY_RECOMMENDER_ADDR is required", ErrUsage)
	}
	var err error
	ms := func(name string, def int, minimum int) time.Duration {
		if err != nil {
			return 0
		}
		raw := getenv(name)
		if raw == "" {
			return time.Duration(def) * time.Millisecond
		}
		n, convErr := strconv.Atoi(raw)
		if convErr != nil || n < minimum {
			err = fmt.Errorf("%w: %s must be a whole number >= %d, got %q", ErrUsage, name, minimum, raw)
			return 0
		}
		return time.Duration(n) * time.Millisecond
	}
	cfg.Budget = app.Budget{Max: ms("GATEWAY_REQUEST_BUDGET_MS", 1000, 1), Margin: ms("GATEWAY_DEADLINE_MARGIN_MS", 50, 0)}
	cfg.ReadyCacheTTL = ms("GATEWAY_READY_CACHE_MS", 1000, 0)
	cfg.DrainDelay = ms("GATEWAY_DRAIN_DELAY_MS", 0, 0)
	if err != nil {
		return Config{}, err
	}
	if cfg.Budget.Margin >= cfg.Budget.Max {
		return Config{}, fmt.Errorf("%w: GATEWAY_DEADLINE_MARGIN_MS must be below GATEWAY_REQUEST_BUDGET_MS", ErrUsage)
	}
	cfg.HealthService = getenv("GATEWAY_HEALTH_SERVICE")
	cfg.TraceFile = getenv("GATEWAY_TRACE_FILE")
	return cfg, nil
}
