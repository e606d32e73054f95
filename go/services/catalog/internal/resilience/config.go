package resilience

import (
	"time"

	"languagetracks.example/go/services/catalog/internal/fanout"
	"languagetracks.example/go/services/catalog/internal/observability"
)

// Policy is the resilience of every upstream.
type Policy struct {
	Retry   Retry
	Breaker BreakerPolicy
	// Hedged is the upstream that gets a hedged call (the slowest one), HedgeDelay its delay.
	Hedged     fanout.Name
	HedgeDelay time.Duration
}

// DefaultHedgeDelay is the reviews hedge delay: about the upstream's p95. With a call timeout
// at or under it (the contract's 300 ms) no hedge is ever sent.
const DefaultHedgeDelay = 400 * time.Millisecond

// PolicyFromEnv reads, beside the fan-out's variables (the Python twin's names, plus the hedge):
//
//	CATALOG_RETRY_ATTEMPTS (3)       calls per upstream GET, the first included
//	CATALOG_BREAKER_FAILURES (5)     failed calls in a row that open an upstream's breaker
//	CATALOG_BREAKER_RESET_MS (5000)  how long an open breaker waits before one trial call
//	CATALOG_HEDGE_MS (400)           reviews' hedge delay (about its p95)
func PolicyFromEnv(getenv func(string) string) (Policy, error) {
	attempts, err := fanout.PositiveInt(getenv, "CATALOG_RETRY_ATTEMPTS", DefaultRetry.Attempts)
	if err != nil {
		return Policy{}, err // already names the variable
	}
	failures, err := fanout.PositiveInt(getenv, "CATALOG_BREAKER_FAILURES", DefaultBreakerPolicy.Failures)
	if err != nil {
		return Policy{}, err // already names the variable
	}
	resetMS, err := fanout.PositiveInt(getenv, "CATALOG_BREAKER_RESET_MS", int(DefaultBreakerPolicy.Cooldown/time.Millisecond))
	if err != nil {
		return Policy{}, err // already names the variable
	}
	hedgeMS, err := fanout.PositiveInt(getenv, "CATALOG_HEDGE_MS", int(DefaultHedgeDelay/time.Millisecond))
	if err != nil {
		return Policy{}, err // already names the variable
	}
	retry := DefaultRetry
	retry.Attempts = attempts
	return Policy{
		Retry:      retry,
		Breaker:    BreakerPolicy{Failures: failures, Cooldown: time.Duration(resetMS) * time.Millisecond},
		Hedged:     fanout.Reviews,
		HedgeDelay: time.Duration(hedgeMS) * time.Millisecond,
	}, nil
}

// Wrap returns every upstream made resilient, each with its own breaker reporting to tel.
func Wrap(upstreams fanout.Upstreams, policy Policy, tel *observability.Telemetry) fanout.Upstreams {
	wrapped := fanout.Upstreams{}
	for name, inner := range upstreams {
		u := &Upstream{
			Name:      name,
			Inner:     inner,
			Breaker:   NewBreaker(string(name), policy.Breaker, tel.BreakerChanged),
			Retry:     policy.Retry,
			Telemetry: tel,
			spanName:  "upstream " + string(name),
		}
		if name == policy.Hedged {
			u.Hedge = Hedge{Delay: policy.HedgeDelay}
		}
		tel.BreakerChanged(string(name), observability.BreakerClosed)
		wrapped[name] = u
	}
	return wrapped
}
