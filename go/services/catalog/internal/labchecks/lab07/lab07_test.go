// Package lab07 holds the acceptance tests of lab 7 (labs/07-go-concurrency): `pnpm lab 7
// check` runs them with -race. They drive fanout.Aggregator with fake upstreams of known
// latency, so every time below is exact up to scheduling noise. No lab owns this file; the
// reference passes it. Each failure names the README step of its TODO(lab 7).
package lab07

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"languagetracks.example/go/services/catalog/internal/fanout"
)

const todo = "see TODO(lab 7) in internal/fanout/aggregator.go"

// TestMain fails the run if any goroutine is still alive once every test has finished.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// gauge counts the calls in flight over every fake upstream of a test, and the peak.
type gauge struct {
	now, peak atomic.Int64
	started   atomic.Int64
	stopped   atomic.Int64 // calls that ended because their context was done
}

func (g *gauge) enter() {
	g.started.Add(1)
	n := g.now.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

// fake is an upstream with a known latency; it honours its context like a real client.
type fake struct {
	name    fanout.Name
	latency time.Duration
	fail    bool
	gauge   *gauge
}

var errFake = errors.New("fake upstream failure")

func (f fake) Fetch(ctx context.Context, _ string) ([]byte, error) {
	if f.gauge != nil {
		f.gauge.enter()
		defer f.gauge.now.Add(-1)
	}
	timer := time.NewTimer(f.latency)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		if f.gauge != nil {
			f.gauge.stopped.Add(1)
		}
		return nil, ctx.Err()
	}
	if f.fail {
		return nil, errFake
	}
	switch f.name {
	case fanout.Pricing:
		return []byte(`{"discount_percent": 10, "currency": "EUR"}`), nil
	case fanout.Inventory:
		return []byte(`{"available": 7, "warehouse": "AMS-1"}`), nil
	}
	return []byte(`{"reviews": [{"rating": 5, "text": "great mug", "helpful": 4, "unhelpful": 0}]}`), nil
}

type latencies struct{ pricing, inventory, reviews time.Duration }

func upstreams(l latencies, g *gauge, failing fanout.Name) fanout.Upstreams {
	return fanout.Upstreams{
		fanout.Pricing:   fake{fanout.Pricing, l.pricing, failing == fanout.Pricing, g},
		fanout.Inventory: fake{fanout.Inventory, l.inventory, failing == fanout.Inventory, g},
		fanout.Reviews:   fake{fanout.Reviews, l.reviews, failing == fanout.Reviews, g},
	}
}

func newAggregator(t *testing.T, u fanout.Upstreams, p fanout.Policy) *fanout.Aggregator {
	t.Helper()
	a, err := fanout.NewAggregator(u, p)
	if err != nil {
		t.Fatalf("NewAggregator: %v", err)
	}
	return a
}

func degraded(d fanout.Details) string {
	b, _ := json.Marshal(d.Degraded)
	return string(b)
}

const ms = time.Millisecond

func TestFanOutTiming(t *testing.T) {
	hung := 2 * time.Second
	tests := []struct {
		name         string
		latencies    latencies
		failing      fanout.Name
		policy       fanout.Policy
		atLeast      time.Duration
		below        time.Duration
		wantDegraded string
		why          string
	}{
		{
			name:         "three upstreams at 200 ms answer in about 200 ms, not 600",
			latencies:    latencies{200 * ms, 200 * ms, 200 * ms},
			policy:       fanout.Policy{CallTimeout: 500 * ms, Deadline: 800 * ms, MaxConcurrency: 8},
			atLeast:      190 * ms,
			below:        450 * ms, // sequential: 600 ms
			wantDegraded: `[]`,
			why:          "the upstreams must be asked at the same time: one goroutine per part with errgroup (README step 1)",
		},
		{
			name:         "a hung upstream is cut at its 300 ms call timeout and degraded timeout",
			latencies:    latencies{10 * ms, hung, 10 * ms},
			policy:       fanout.Policy{CallTimeout: 300 * ms, Deadline: 800 * ms, MaxConcurrency: 8},
			atLeast:      290 * ms,
			below:        550 * ms, // no call timeout: cut at the 800 ms deadline
			wantDegraded: `[{"upstream":"inventory","reason":"timeout"}]`,
			why:          "each call needs its own context.WithTimeout(ctx, CallTimeout), passed down to Fetch (README step 2)",
		},
		{
			name:         "a failing upstream is degraded error, the others kept",
			latencies:    latencies{10 * ms, 10 * ms, 10 * ms},
			failing:      fanout.Pricing,
			policy:       fanout.Policy{CallTimeout: 300 * ms, Deadline: 800 * ms, MaxConcurrency: 8},
			below:        200 * ms,
			wantDegraded: `[{"upstream":"pricing","reason":"error"}]`,
			why:          "a failure is data: record the reason, never fail the whole fan-out (README step 1)",
		},
		{
			name:         "the 300 ms overall deadline is honoured (well before the 1 s call timeout) and the late parts are degraded deadline",
			latencies:    latencies{hung, hung, hung},
			policy:       fanout.Policy{CallTimeout: time.Second, Deadline: 300 * ms, MaxConcurrency: 8},
			atLeast:      290 * ms,
			below:        550 * ms, // no deadline: cut at the 1 s call timeout
			wantDegraded: `[{"upstream":"pricing","reason":"deadline"},{"upstream":"inventory","reason":"deadline"},{"upstream":"reviews","reason":"deadline"}]`,
			why:          "Fetch needs one context.WithTimeout(ctx, Deadline) around the whole fan-out (README step 3)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAggregator(t, upstreams(tt.latencies, nil, tt.failing), tt.policy)
			started := time.Now()
			got := a.Fetch(context.Background(), "p-1")
			took := time.Since(started)
			if took < tt.atLeast || took >= tt.below {
				t.Errorf("Fetch took %v; want %v <= t < %v: %s (%s)", took.Round(ms), tt.atLeast, tt.below, tt.why, todo)
			}
			if d := degraded(got); d != tt.wantDegraded {
				t.Errorf("degraded = %s; want %s: %s (%s)", d, tt.wantDegraded, tt.why, todo)
			}
			for _, part := range got.Degraded {
				missing := map[fanout.Name]bool{fanout.Pricing: got.Pricing == nil, fanout.Inventory: got.Inventory == nil, fanout.Reviews: got.Reviews == nil}
				if !missing[part.Upstream] {
					t.Errorf("%s is degraded but not nil (%s)", part.Upstream, todo)
				}
			}
		})
	}
}

func TestCancelledRequestStopsEveryCall(t *testing.T) {
	g := &gauge{}
	a := newAggregator(t, upstreams(latencies{2 * time.Second, 2 * time.Second, 2 * time.Second}, g, ""),
		fanout.Policy{CallTimeout: 1500 * ms, Deadline: 1800 * ms, MaxConcurrency: 8})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*ms, cancel)
	started := time.Now()
	got := a.Fetch(ctx, "p-1")
	took := time.Since(started)
	// Margins hold on a loaded CI machine; a call on context.Background() runs its 1.5 s timeout.
	if took > 600*ms {
		t.Errorf("Fetch took %v after its request was cancelled at 100 ms: the request's context must reach every call (derive from ctx, never context.Background(); README step 2) (%s)", took.Round(ms), todo)
	}
	if s, st := g.started.Load(), g.stopped.Load(); s == 0 || s != st || g.now.Load() != 0 {
		t.Errorf("%d calls started, %d stopped by their context, %d still running: a cancelled request must stop all of them (README step 2) (%s)", s, st, g.now.Load(), todo)
	}
	if len(got.Degraded) != 3 {
		t.Errorf("degraded = %s; want all three parts missing (%s)", degraded(got), todo)
	}
}

func TestBoundHeldAcrossRequests(t *testing.T) {
	const bound, requests = 2, 6
	g := &gauge{}
	a := newAggregator(t, upstreams(latencies{40 * ms, 40 * ms, 40 * ms}, g, ""),
		fanout.Policy{CallTimeout: time.Second, Deadline: 3 * time.Second, MaxConcurrency: bound})
	var wg sync.WaitGroup
	results := make([]fanout.Details, requests)
	for i := range requests {
		wg.Go(func() { results[i] = a.Fetch(context.Background(), fmt.Sprintf("p-%d", i)) })
	}
	wg.Wait()
	if peak := g.peak.Load(); peak > bound {
		t.Errorf("%d upstream calls ran at once; the bound is %d for all requests together: acquire a slot of the shared semaphore around each call (README step 4) (%s)", peak, bound, todo)
	}
	for i, r := range results {
		if len(r.Degraded) != 0 {
			t.Errorf("request %d degraded %s; with a 3 s deadline every part fits (%s)", i, degraded(r), todo)
		}
	}
}

func TestNoGoroutineOutlivesItsRequest(t *testing.T) {
	before := goleak.IgnoreCurrent()
	a := newAggregator(t, upstreams(latencies{10 * ms, 2 * time.Second, 2 * time.Second}, nil, ""),
		fanout.Policy{CallTimeout: 100 * ms, Deadline: 150 * ms, MaxConcurrency: 8})
	for range 3 {
		a.Fetch(context.Background(), "p-1")
	}
	if err := goleak.Find(before); err != nil {
		t.Errorf("goroutines are still running after Fetch returned: every goroutine must end with its request; a goroutine sending on an unbuffered channel nobody reads any more blocks forever (README step 5) (%s)\n%v", todo, err)
	}
}
