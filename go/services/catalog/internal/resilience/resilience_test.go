package resilience

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"languagetracks.example/go/services/catalog/internal/fanout"
	"languagetracks.example/go/services/catalog/internal/observability"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestTransient(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"a connection error", errors.New("connection refused"), true},
		{"503", &fanout.StatusError{Name: fanout.Pricing, Code: http.StatusServiceUnavailable}, true},
		{"429", &fanout.StatusError{Name: fanout.Pricing, Code: http.StatusTooManyRequests}, true},
		{"404", &fanout.StatusError{Name: fanout.Pricing, Code: http.StatusNotFound}, false},
		{"a timeout", context.DeadlineExceeded, false},
		{"the client left", context.Canceled, false},
		{"an open breaker", ErrCircuitOpen, false},
		{"a bad payload", fanout.ErrBadPayload, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Transient(tt.err); got != tt.want {
				t.Errorf("Transient(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestPolicyFromEnv(t *testing.T) {
	env := map[string]string{"CATALOG_RETRY_ATTEMPTS": "2", "CATALOG_BREAKER_FAILURES": "4", "CATALOG_BREAKER_RESET_MS": "250", "CATALOG_HEDGE_MS": "90"}
	policy, err := PolicyFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if policy.Retry.Attempts != 2 || policy.Breaker != (BreakerPolicy{Failures: 4, Cooldown: 250 * time.Millisecond}) || policy.HedgeDelay != 90*time.Millisecond || policy.Hedged != fanout.Reviews {
		t.Fatalf("policy = %+v", policy)
	}
	if _, err := PolicyFromEnv(func(k string) string { return map[string]string{"CATALOG_BREAKER_FAILURES": "0"}[k] }); err == nil {
		t.Fatal("CATALOG_BREAKER_FAILURES=0 must be refused")
	}
}

// A slow reviews upstream is hedged through the whole wrapper: the answer comes at about the
// hedge delay, not the upstream's latency, and every call's goroutine has returned.
type slowOnce struct{ calls chan struct{} }

func (s slowOnce) Fetch(ctx context.Context, productID string) ([]byte, error) {
	select {
	case s.calls <- struct{}{}: // the first call hangs
		<-ctx.Done()
		return nil, ctx.Err()
	default:
		return fanout.Simulated{Name: fanout.Reviews}.Fetch(ctx, productID)
	}
}

func TestWrapHedgesTheSlowUpstream(t *testing.T) {
	tel := observability.New(nil, slog.New(slog.DiscardHandler))
	slow := slowOnce{calls: make(chan struct{}, 1)}
	upstreams := Wrap(fanout.Upstreams{fanout.Reviews: slow}, Policy{Retry: Retry{Attempts: 1}, Breaker: DefaultBreakerPolicy, Hedged: fanout.Reviews, HedgeDelay: 30 * time.Millisecond}, tel)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	started := time.Now()
	raw, err := upstreams[fanout.Reviews].Fetch(ctx, "p-1")
	if err != nil || len(raw) == 0 {
		t.Fatalf("Fetch = %d bytes, %v", len(raw), err)
	}
	if elapsed := time.Since(started); elapsed > time.Second {
		t.Fatalf("took %v: the hedge was not sent", elapsed)
	}
}
