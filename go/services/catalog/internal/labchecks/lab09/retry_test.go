package lab09

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"languagetracks.example/go/services/catalog/internal/fanout"
	"languagetracks.example/go/services/catalog/internal/resilience"
)

const retryFile = "internal/resilience/retry.go"

// Retries: idempotent methods only, transient errors only, waits drawn with full jitter under
// an exponential ceiling (Jitter here returns the ceiling itself, so the waits are exact), and
// never a wait that would end past the deadline. Sleep is faked: nothing really waits.
func TestRetry(t *testing.T) {
	const ms = time.Millisecond
	unavailable := &fanout.StatusError{Name: fanout.Pricing, Code: http.StatusServiceUnavailable}
	notFound := &fanout.StatusError{Name: fanout.Pricing, Code: http.StatusNotFound}
	tests := []struct {
		name      string
		method    string
		attempts  int
		failures  []error // what each call returns before a success
		budget    time.Duration
		wantCalls int
		wantWaits []time.Duration
		wantErr   bool
		step      int
	}{
		{"GET, two transient failures, then success", http.MethodGet, 3, []error{unavailable, errDown}, 0, 3, []time.Duration{20 * ms, 40 * ms}, false, 3},
		{"GET, the ceiling doubles up to the cap", http.MethodGet, 6, []error{errDown, errDown, errDown, errDown, errDown}, 0, 6, []time.Duration{20 * ms, 40 * ms, 80 * ms, 160 * ms, 200 * ms}, false, 4},
		{"GET, out of attempts: the last error", http.MethodGet, 2, []error{errDown, errDown, errDown}, 0, 2, []time.Duration{20 * ms}, true, 3},
		{"POST is never retried", http.MethodPost, 3, []error{unavailable}, 0, 1, nil, true, 3},
		{"a 404 is not transient", http.MethodGet, 3, []error{notFound}, 0, 1, nil, true, 3},
		{"429 is transient", http.MethodGet, 3, []error{&fanout.StatusError{Name: fanout.Pricing, Code: http.StatusTooManyRequests}}, 0, 2, []time.Duration{20 * ms}, false, 3},
		{"a wait that does not fit before the deadline is not taken", http.MethodGet, 5, []error{errDown, errDown, errDown}, 50 * ms, 2, []time.Duration{20 * ms}, true, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var now time.Time
			if tt.budget > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Hour)
				defer cancel()
				deadline, _ := ctx.Deadline()
				now = deadline.Add(-tt.budget)
			}
			var waits []time.Duration
			retry := resilience.Retry{
				Attempts: tt.attempts, Base: 20 * ms, Cap: 200 * ms,
				Jitter: func(ceiling time.Duration) time.Duration { return ceiling },
				Sleep: func(_ context.Context, d time.Duration) error {
					waits = append(waits, d)
					now = now.Add(d)
					return nil
				},
				Now: func() time.Time { return now },
			}
			calls := 0
			_, err := retry.Do(ctx, tt.method, func(context.Context) ([]byte, error) {
				calls++
				if calls <= len(tt.failures) {
					return nil, tt.failures[calls-1]
				}
				return []byte("{}"), nil
			})
			if calls != tt.wantCalls || fmt.Sprint(waits) != fmt.Sprint(tt.wantWaits) || (err != nil) != tt.wantErr {
				t.Fatalf("%s: %d calls, waits %v, err %v; want %d calls, waits %v, error %v (%s)",
					tt.name, calls, waits, err, tt.wantCalls, tt.wantWaits, tt.wantErr, todo(tt.step, retryFile))
			}
		})
	}
}

// Full jitter: with the real random source every wait lies in [0, ceiling] and they are not
// all equal (clients that failed together must not come back together).
func TestRetryJitter(t *testing.T) {
	retry := resilience.Retry{Attempts: 2, Base: 100 * time.Millisecond, Cap: time.Second}
	seen := map[time.Duration]bool{}
	for range 20 {
		retry.Sleep = func(_ context.Context, d time.Duration) error {
			if d < 0 || d > 100*time.Millisecond {
				t.Errorf("wait %v outside [0, 100ms]: full jitter draws in [0, ceiling] (%s)", d, todo(4, retryFile))
			}
			seen[d] = true
			return nil
		}
		_, _ = retry.Do(context.Background(), http.MethodGet, func(context.Context) ([]byte, error) { return nil, errDown })
	}
	if len(seen) < 5 {
		t.Fatalf("20 first waits took only %d distinct values: the wait must be random in [0, ceiling] (%s)", len(seen), todo(4, retryFile))
	}
}
