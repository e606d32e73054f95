package resilience

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"

	"languagetracks.example/go/services/catalog/internal/observability"
)

// BreakerPolicy is when an upstream's breaker opens and how long it rests.
type BreakerPolicy struct {
	// Failures is the number of failed calls in a row that opens the breaker.
	Failures int
	// Cooldown is how long it stays open before one trial call (half-open).
	Cooldown time.Duration
}

// DefaultBreakerPolicy is the Python twin's: 5 failures in a row, 5 s open.
var DefaultBreakerPolicy = BreakerPolicy{Failures: 5, Cooldown: 5 * time.Second}

// ErrCircuitOpen is returned, without calling the upstream, while its breaker is open (or
// half-open with its one trial call already in flight). The part is degraded "circuit_open".
var ErrCircuitOpen = errors.New("resilience: circuit breaker is open")

// Breaker is one upstream's circuit breaker.
type Breaker = gobreaker.CircuitBreaker[[]byte]

// NewBreaker returns the breaker of one upstream (sony/gobreaker v2):
//
//	closed     calls go through; a failure counts, a success resets the count;
//	open       after policy.Failures failures in a row: calls fail at once with ErrCircuitOpen;
//	half-open  after policy.Cooldown: ONE trial call goes through; success closes the breaker,
//	           failure opens it for another cool-down.
//
// A timeout is a failure (a hanging upstream is the case a breaker exists for); the request's
// own cancellation (context.Canceled: the client left) is neither a success nor a failure.
// onChange hears every state change, with observability's state names.
func NewBreaker(name string, policy BreakerPolicy, onChange func(upstream, state string)) *Breaker {
	return gobreaker.NewCircuitBreaker[[]byte](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1, // one trial call while half-open
		Timeout:     policy.Cooldown,
		ReadyToTrip: func(counts gobreaker.Counts) bool {
			return counts.ConsecutiveFailures >= uint32(policy.Failures) // #nosec G115 -- validated >= 1
		},
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(name string, _, to gobreaker.State) {
			if onChange != nil {
				onChange(name, stateName(to))
			}
		},
	})
}

// stateName is a gobreaker state as the metrics and logs name it.
func stateName(state gobreaker.State) string {
	switch state {
	case gobreaker.StateOpen:
		return observability.BreakerOpen
	case gobreaker.StateHalfOpen:
		return observability.BreakerHalfOpen
	default:
		return observability.BreakerClosed
	}
}

// throughBreaker runs call through breaker; a refusal becomes ErrCircuitOpen.
func throughBreaker(breaker *Breaker, call func() ([]byte, error)) ([]byte, error) {
	raw, err := breaker.Execute(call)
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return nil, ErrCircuitOpen
	}
	return raw, err // the upstream's own error, already wrapped there
}
