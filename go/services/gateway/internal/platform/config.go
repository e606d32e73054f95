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
	"languagetracks.example/go/services/gateway/internal/ports"
)

// Config is the gateway's configuration: flags for where it listens, the environment for the
// rest (the variables are in the README).
type Config struct {
	// Host and Port are where the HTTP edge listens; port 0 picks a free one.
	Host string
	Port int
	// Upstreams are the named recommenders (GATEWAY_RECOMMENDERS="v1=host:port,v2=host:port";
	// or GATEWAY_RECOMMENDER_ADDR=host:port, one upstream named "recommender"). One of the two
	// is required; GATEWAY_RECOMMENDERS wins when both are set.
	Upstreams []app.Upstream
	// Weights is the initial routing table (GATEWAY_WEIGHTS="v1=100,v2=0", whole numbers summing
	// to 100, omitted names 0); unset, the first upstream gets 100.
	Weights app.Weights
	// AdminToken turns on /admin/weights behind "Authorization: Bearer <token>"
	// (GATEWAY_ADMIN_TOKEN; unset: no admin routes).
	AdminToken string
	// Budget is GATEWAY_REQUEST_BUDGET_MS (default 1000) and GATEWAY_DEADLINE_MARGIN_MS
	// (default 50).
	Budget app.Budget
	// HealthInterval is how often each upstream's gRPC health is asked in the background
	// (GATEWAY_HEALTH_INTERVAL_MS, 500, at least 10); routing and /readyz read the last answer.
	HealthInterval time.Duration
	// DrainDelay is how long /readyz says 503 before the listener closes on SIGTERM
	// (GATEWAY_DRAIN_DELAY_MS, default 0).
	DrainDelay time.Duration
	// HealthService is the name asked of the gRPC health service (GATEWAY_HEALTH_SERVICE,
	// default "": the whole server).
	HealthService string
	// TraceFile, when set, receives every finished span as one JSON object per line
	// (GATEWAY_TRACE_FILE).
	TraceFile string
	// Tokens are the JWT settings the edge verifies bearer tokens with: the recommender's own
	// variables (RECOMMENDER_JWT_SECRET, _ISSUER, _AUDIENCE), with the same dev defaults, so
	// one setting serves both.
	Tokens ports.TokenSettings
}

// The recommender's dev JWT settings (python/services/recommender/src/recommender/settings.py).
const (
	devJWTSecret   = "language-tracks-dev-secret-not-for-production" // #nosec G101 -- a documented dev default, as in the recommender // gitleaks:allow
	devJWTIssuer   = "language-tracks-dev"
	devJWTAudience = "recommender"
	minSecretBytes = 32
)

// Addr is host:port for net.Listen.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// ErrUsage marks a bad command line or environment; main prints it as one line and exits 2.
var ErrUsage = errors.New("usage: gateway [--host HOST] [--port PORT] with GATEWAY_RECOMMENDERS=name=host:port,... or GATEWAY_RECOMMENDER_ADDR=host:port")

// envError is a bad upstream variable: its message names the variable and the problem
// without the usage text, and it still is an ErrUsage (exit 2).
type envError struct{ msg string }

func (e envError) Error() string        { return e.msg }
func (e envError) Is(target error) bool { return target == ErrUsage }

// SingleUpstream is the name of the one upstream GATEWAY_RECOMMENDER_ADDR configures.
const SingleUpstream = "recommender"

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
	if err := loadUpstreams(&cfg, getenv); err != nil {
		return Config{}, err
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
	cfg.HealthInterval = ms("GATEWAY_HEALTH_INTERVAL_MS", 500, 10)
	cfg.DrainDelay = ms("GATEWAY_DRAIN_DELAY_MS", 0, 0)
	if err != nil {
		return Config{}, err
	}
	if cfg.Budget.Margin >= cfg.Budget.Max {
		return Config{}, fmt.Errorf("%w: GATEWAY_DEADLINE_MARGIN_MS must be below GATEWAY_REQUEST_BUDGET_MS", ErrUsage)
	}
	cfg.HealthService = getenv("GATEWAY_HEALTH_SERVICE")
	cfg.TraceFile = getenv("GATEWAY_TRACE_FILE")
	cfg.AdminToken = getenv("GATEWAY_ADMIN_TOKEN")
	cfg.Tokens = ports.TokenSettings{
		Secret:   []byte(orDefault(getenv("RECOMMENDER_JWT_SECRET"), devJWTSecret)),
		Issuer:   orDefault(getenv("RECOMMENDER_JWT_ISSUER"), devJWTIssuer),
		Audience: orDefault(getenv("RECOMMENDER_JWT_AUDIENCE"), devJWTAudience),
	}
	if len(cfg.Tokens.Secret) < minSecretBytes {
		return Config{}, envError{fmt.Sprintf("RECOMMENDER_JWT_SECRET must be at least %d bytes", minSecretBytes)}
	}
	return cfg, nil
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

// loadUpstreams reads GATEWAY_RECOMMENDERS (or GATEWAY_RECOMMENDER_ADDR) and GATEWAY_WEIGHTS.
func loadUpstreams(cfg *Config, getenv func(string) string) error {
	switch raw, single := getenv("GATEWAY_RECOMMENDERS"), getenv("GATEWAY_RECOMMENDER_ADDR"); {
	case raw != "":
		ups, err := app.ParseUpstreams(raw)
		if err != nil {
			return envError{"GATEWAY_RECOMMENDERS: " + err.Error() + ` (want "name=host:port,...", e.g. "v1=127.0.0.1:5001,v2=127.0.0.1:5002")`}
		}
		cfg.Upstreams = ups
	case single != "":
		cfg.Upstreams = []app.Upstream{{Name: SingleUpstream, Addr: single}}
	default:
		return fmt.Errorf("%w: GATEWAY_RECOMMENDERS or GATEWAY_RECOMMENDER_ADDR is required", ErrUsage)
	}
	names := make([]string, 0, len(cfg.Upstreams))
	for _, u := range cfg.Upstreams {
		names = append(names, u.Name)
	}
	raw := getenv("GATEWAY_WEIGHTS")
	if raw == "" {
		raw = names[0] + "=" + strconv.Itoa(app.WeightTotal)
	}
	weights, err := app.ParseWeights(raw, names)
	if err != nil {
		return envError{"GATEWAY_WEIGHTS: " + err.Error()}
	}
	cfg.Weights = weights
	return nil
}
