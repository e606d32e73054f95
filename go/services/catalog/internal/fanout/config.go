package fanout

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Environment variables, the same names and defaults as the Python twin:
//
//	CATALOG_UPSTREAM_URL                     base URL of all three upstreams (unset: simulated, zero latency)
//	CATALOG_PRICING_URL, _INVENTORY_URL, _REVIEWS_URL  one upstream's base URL; wins over the common one
//	CATALOG_CALL_TIMEOUT_MS (500)            per-call timeout
//	CATALOG_DEADLINE_MS (800)                deadline of the whole fan-out
//	CATALOG_MAX_CONCURRENCY (64)             upstream calls in flight, all requests together
//
// (CATALOG_CPU_WORKERS is Python's process pool; Go scores reviews on the calling goroutine.)

// PositiveInt reads a positive integer variable; empty or unset gives def.
func PositiveInt(getenv func(string) string, name string, def int) (int, error) {
	raw := getenv(name)
	if raw == "" {
		return def, nil
	}
	value, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: not an integer", name, raw)
	}
	if value < 1 {
		return 0, fmt.Errorf("%s=%q: must be at least 1", name, raw)
	}
	return value, nil
}

// PolicyFromEnv reads the time budgets and the bound.
func PolicyFromEnv(getenv func(string) string) (Policy, error) {
	callMS, err := PositiveInt(getenv, "CATALOG_CALL_TIMEOUT_MS", int(DefaultPolicy.CallTimeout/time.Millisecond))
	if err != nil {
		return Policy{}, err
	}
	deadlineMS, err := PositiveInt(getenv, "CATALOG_DEADLINE_MS", int(DefaultPolicy.Deadline/time.Millisecond))
	if err != nil {
		return Policy{}, err
	}
	bound, err := PositiveInt(getenv, "CATALOG_MAX_CONCURRENCY", DefaultPolicy.MaxConcurrency)
	if err != nil {
		return Policy{}, err
	}
	return Policy{
		CallTimeout:    time.Duration(callMS) * time.Millisecond,
		Deadline:       time.Duration(deadlineMS) * time.Millisecond,
		MaxConcurrency: bound,
	}, nil
}

// UpstreamsFromEnv wires each upstream: over HTTP when it has a URL, simulated otherwise.
// The HTTP client has no timeout (the aggregator owns time), at most maxConns connections
// per upstream host, and connections that close only once the upstream has let go (LetGo).
func UpstreamsFromEnv(getenv func(string) string, maxConns int) (Upstreams, error) {
	common := getenv("CATALOG_UPSTREAM_URL")
	var client *http.Client
	upstreams := Upstreams{}
	for _, name := range Names {
		url := getenv("CATALOG_" + strings.ToUpper(string(name)) + "_URL")
		if url == "" {
			url = common
		}
		if url == "" {
			upstreams[name] = Simulated{Name: name}
			continue
		}
		if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
			return nil, fmt.Errorf("the %s upstream URL %q must start with http(s)://", name, url)
		}
		if client == nil {
			transport := http.DefaultTransport.(*http.Transport).Clone()
			// An abandoned call returns once the upstream has let go of it (letgo.go), so the
			// aggregator's slot is held while the upstream may still serve the call.
			transport.DialContext = LetGo(transport.DialContext)
			transport.MaxConnsPerHost = maxConns
			transport.MaxIdleConnsPerHost = maxConns
			client = &http.Client{Transport: transport}
		}
		upstreams[name] = HTTP{Name: name, BaseURL: url, Client: client}
	}
	return upstreams, nil
}
