package resilience

import (
	"context"
	"errors"
	"math/rand/v2"
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

// idempotent are the methods whose repetition has the effect of one call (RFC 9110, 9.2.2).
var idempotent = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodOptions: true,
	http.MethodPut: true, http.MethodDelete: true,
}

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

// Do calls call, and calls it again on a transient error while method is idempotent, attempts
// remain and the next wait fits before ctx's deadline. It returns the last error.
func (r Retry) Do(ctx context.Context, method string, call func(context.Context) ([]byte, error)) ([]byte, error) {
	raw, err := call(ctx)
	if !idempotent[method] {
		return raw, err // a POST is sent once, whatever happens
	}
	for attempt := 1; attempt < r.Attempts && Transient(err) && ctx.Err() == nil; attempt++ {
		wait := r.jitter(r.ceiling(attempt))
		if deadline, ok := ctx.Deadline(); ok && wait >= deadline.Sub(r.now()) {
			return nil, err // the wait would not fit: give up now, not at the deadline
		}
		if sleepErr := r.sleep(ctx, wait); sleepErr != nil {
			return nil, err
		}
		raw, err = call(ctx)
	}
	return raw, err
}

// ceiling is the cap of the wait before call number attempt+1: Base * 2^(attempt-1), at most Cap.
func (r Retry) ceiling(attempt int) time.Duration {
	ceiling := r.Base
	for range attempt - 1 {
		if ceiling >= r.Cap/2 {
			return r.Cap
		}
		ceiling *= 2
	}
	return min(ceiling, r.Cap)
}

func (r Retry) jitter(ceiling time.Duration) time.Duration {
	if r.Jitter != nil {
		return r.Jitter(ceiling)
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1) // #nosec G404 -- jitter, not security
}

func (r Retry) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r Retry) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err() // the context's own error
	}
}
