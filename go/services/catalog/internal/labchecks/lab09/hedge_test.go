package lab09

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"languagetracks.example/go/services/catalog/internal/resilience"
)

const hedgeFile = "internal/resilience/hedge.go"

// The hedge, on a fake clock: the first call hangs; when the hedge delay "passes" a second
// call is sent, answers, and wins; the first is cancelled and has returned before Do does.
func TestHedgeTakesTheFirstAnswerAndCancelsTheLoser(t *testing.T) {
	defer goleak.VerifyNone(t)
	fire := make(chan time.Time)
	var askedDelay time.Duration
	hedge := resilience.Hedge{Delay: 80 * time.Millisecond, After: func(d time.Duration) <-chan time.Time {
		askedDelay = d
		return fire
	}}
	var calls, loserCancelled, loserReturned atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	started := time.Now()
	raw, err := hedge.Do(ctx, func(ctx context.Context) ([]byte, error) {
		if calls.Add(1) == 1 {
			go func() { // the hedge delay passes while the first call hangs
				select {
				case fire <- time.Now():
				case <-ctx.Done():
				}
			}()
			<-ctx.Done()
			if errors.Is(ctx.Err(), context.Canceled) {
				loserCancelled.Add(1)
			}
			time.Sleep(20 * time.Millisecond) // a loser takes a moment to wind down
			loserReturned.Add(1)
			return nil, ctx.Err()
		}
		return []byte("second"), nil
	})
	if err != nil || string(raw) != "second" {
		t.Fatalf("Do = %q, %v after %v; want the second call's answer: when the first has not answered after the delay, send another and take the first answer (%s)", raw, err, time.Since(started).Round(time.Millisecond), todo(6, hedgeFile))
	}
	if askedDelay != hedge.Delay {
		t.Errorf("the hedge waited %v, want its Delay %v", askedDelay, hedge.Delay)
	}
	if loserCancelled.Load() != 1 {
		t.Fatalf("the losing call was not cancelled: cancel it as soon as one call has answered (%s)", todo(7, hedgeFile))
	}
	if loserReturned.Load() != 1 {
		t.Fatalf("Do returned before the losing call did: wait for it, or its goroutine outlives the request (%s)", todo(7, hedgeFile))
	}
}

// No hedge when the first call answers in time, and none when Delay is zero.
func TestHedgeOnlyWhenSlow(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, delay := range []time.Duration{0, time.Hour} {
		calls := 0
		hedge := resilience.Hedge{Delay: delay}
		raw, err := hedge.Do(context.Background(), func(context.Context) ([]byte, error) {
			calls++
			return []byte("first"), nil
		})
		if err != nil || string(raw) != "first" || calls != 1 {
			t.Fatalf("delay %v: Do = %q, %v with %d calls; want the first answer and 1 call (%s)", delay, raw, err, calls, todo(6, hedgeFile))
		}
	}
}

// A first call that fails after the hedge was sent does not win: the other answer does.
func TestHedgeFailureDoesNotWin(t *testing.T) {
	defer goleak.VerifyNone(t)
	fire := make(chan time.Time, 1)
	hedge := resilience.Hedge{Delay: time.Millisecond, After: func(time.Duration) <-chan time.Time { return fire }}
	var calls atomic.Int32
	second := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	raw, err := hedge.Do(ctx, func(ctx context.Context) ([]byte, error) {
		if calls.Add(1) == 1 {
			fire <- time.Now()
			select { // fail only once the hedge is under way (or the test gives up)
			case <-second:
			case <-ctx.Done():
			}
			return nil, errDown
		}
		close(second)
		time.Sleep(10 * time.Millisecond)
		return []byte("second"), nil
	})
	if err != nil || string(raw) != "second" {
		t.Fatalf("Do = %q, %v; want the second call's success, not the first call's failure (%s)", raw, err, todo(6, hedgeFile))
	}
}
