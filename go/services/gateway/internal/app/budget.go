package app

import (
	"errors"
	"strconv"
	"time"
)

// Budget aligns deadlines end to end. Every HTTP request gets a budget, the server's Max or
// less if the client asks (X-Request-Timeout-Ms); the gRPC call gets what is left of it at
// the time of the call minus Margin, so the gateway still has time to answer (a 504 envelope)
// before the HTTP client gives up.
type Budget struct {
	// Max is the most any request gets (GATEWAY_REQUEST_BUDGET_MS).
	Max time.Duration
	// Margin is kept back for the gateway's own answer (GATEWAY_DEADLINE_MARGIN_MS).
	Margin time.Duration
}

// DefaultBudget is 1 s per request with 50 ms kept back.
var DefaultBudget = Budget{Max: time.Second, Margin: 50 * time.Millisecond}

// ErrBadTimeoutHeader says X-Request-Timeout-Ms is not a whole number of milliseconds >= 0.
var ErrBadTimeoutHeader = errors.New("X-Request-Timeout-Ms must be a whole number of milliseconds >= 0")

// RequestBudget is the budget of one request: Max, or the client's header when smaller.
// header is the raw X-Request-Timeout-Ms value ("" when absent).
func (b Budget) RequestBudget(header string) (time.Duration, error) {
	if header == "" {
		return b.Max, nil
	}
	ms, err := strconv.ParseInt(header, 10, 64)
	if err != nil || ms < 0 {
		return 0, ErrBadTimeoutHeader
	}
	if asked := time.Duration(ms) * time.Millisecond; ms < b.Max.Milliseconds() {
		return asked, nil
	}
	return b.Max, nil
}

// CallDeadline is the deadline of the upstream call of a request that arrived at start with
// the given budget; ok is false when nothing is left for the call (the budget is spent, so
// the edge answers 504 without calling).
func (b Budget) CallDeadline(start time.Time, budget time.Duration, now time.Time) (time.Time, bool) {
	deadline := start.Add(budget - b.Margin)
	return deadline, deadline.After(now)
}
