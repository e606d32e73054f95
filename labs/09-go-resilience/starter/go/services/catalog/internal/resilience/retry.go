package resilience

import (
	"context"
	"errors"
	"net/http"
	"time"

	"languagetracks.example/go/services/catalog/internal/fanout"
)

// Retry repeats an idempotent call that failed transiently, with exponential backoff and full
// jitter, never past the context's deadline. A small hand-written loop: the whole policy is
// these fields, and tests drive Sleep and Jitter (see DESIGN.md, 2026-11-25).
type Retry struct {
	// Attempts is the number of calls, the first included; 1 means no retry.
	Attempts int
	// Base is the ceiling of the first wait; it doubles for each further one...
	Base time.Duration
	// Cap ...up to Cap.
	Cap time.Duration
	// Sleep waits d or until ctx is done; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter draws a wait in [0, ceiling] ("full jitter"); nil means math/rand/v2.
	Jitter func(ceiling time.Duration) time.Duration
	// Now is the clock the deadline is read against; nil means time.Now.
	Now func() time.Time
}

// DefaultRetry is the Python twin's budget: 3 calls, waits up to 20 ms, 40 ms (capped at 200 ms).
var DefaultRetry = Retry{Attempts: 3, Base: 20 * time.Millisecond, Cap: 200 * time.Millisecond}

// Transient says whether an error is worth another try: the upstream failed or said "not now"
// (5xx, 429), not "never" (another 4xx), and the context is still live.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, ErrCircuitOpen) || errors.Is(err, fanout.ErrBadPayload) {
		return false
	}
	if status, ok := errors.AsType[*fanout.StatusError](err); ok {
		return status.Code >= http.StatusInternalServerError || status.Code == http.StatusTooManyRequests
	}
	return true
}

// Do calls call and returns its answer.
//
// TODO(lab 9) step 3: call again on a Transient error, up to r.Attempts calls in all, but only
// when method is idempotent (RFC 9110, 9.2.2: GET, HEAD, OPTIONS, PUT, DELETE); a POST is
// sent once, whatever happens.
// TODO(lab 9) step 4: before call n+1 wait a random duration in [0, ceiling] ("full jitter",
// r.Jitter, else math/rand/v2) with ceiling = r.Base * 2^(n-1), at most r.Cap; wait with
// r.Sleep (else a timer that also stops when ctx is done).
// TODO(lab 9) step 5: never past the deadline: when the wait would end at or after ctx's
// deadline (read against r.Now, else time.Now), return the last error at once.
func (r Retry) Do(ctx context.Context, method string, call func(context.Context) ([]byte, error)) ([]byte, error) {
	_ = method // TODO(lab 9) step 3
	return call(ctx)
}
