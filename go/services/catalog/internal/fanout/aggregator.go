package fanout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// Aggregator asks the three upstreams of a product at the same time, so an answer takes as
// long as the slowest upstream, not the sum (lab 7).
//
//   - Each call has its own timeout (Policy.CallTimeout): a late upstream is degraded
//     "timeout" and the others still count.
//   - The whole fan-out has one deadline (Policy.Deadline): when it passes, the calls still
//     running see their context done, return, and are degraded "deadline".
//   - One semaphore, shared by every request, bounds the calls in flight
//     (Policy.MaxConcurrency); waiting for a slot counts against the deadline only. It
//     protects the upstream, so it counts what the upstream still serves: a call given up
//     on keeps its slot until the upstream has let go of it (the HTTP adapter's Fetch
//     returns only once the connection is closed and the upstream has seen it end).
//   - Every goroutine started for a request has returned when Fetch returns (errgroup's
//     Wait), so none outlives its request; cancelling the request's context stops them all.
type Aggregator struct {
	upstreams Upstreams
	policy    Policy
	slots     *semaphore.Weighted
}

// NewAggregator returns one aggregator per application: its semaphore bounds the calls of
// all requests together.
func NewAggregator(upstreams Upstreams, policy Policy) (*Aggregator, error) {
	if err := policy.Validate(); err != nil {
		return nil, err
	}
	for _, name := range Names {
		if upstreams[name] == nil {
			return nil, fmt.Errorf("fanout: no %s upstream", name)
		}
	}
	return &Aggregator{upstreams: upstreams, policy: policy, slots: semaphore.NewWeighted(int64(policy.MaxConcurrency))}, nil
}

// Fetch returns every part that arrived in time; the others are listed in Degraded. It
// returns by the deadline (plus the time to assemble), or sooner when ctx is done.
func (a *Aggregator) Fetch(ctx context.Context, productID string) Details {
	ctx, cancel := context.WithTimeout(ctx, a.policy.Deadline)
	defer cancel()
	var mu sync.Mutex
	parts := make(map[Name]outcome, len(Names))
	// No part returns an error (a failure is data), so errgroup is used for Go + Wait: the
	// parts run at once and Wait returns when the last one has.
	group, groupCtx := errgroup.WithContext(ctx)
	for _, name := range Names {
		group.Go(func() error {
			part := a.part(groupCtx, name, productID)
			mu.Lock()
			parts[name] = part
			mu.Unlock()
			return nil
		})
	}
	_ = group.Wait() // every part returns nil
	return assemble(parts)
}

// part runs one upstream call and decodes its payload; an error becomes a reason.
func (a *Aggregator) part(ctx context.Context, name Name, productID string) outcome {
	raw, err := a.call(ctx, name, productID)
	if err == nil {
		value, decodeErr := decode(name, raw)
		if decodeErr == nil {
			return outcome{value: value}
		}
		err = decodeErr
	}
	switch {
	case ctx.Err() != nil, errors.Is(err, errNoTimeLeft):
		// The overall deadline passed (or the request ended) before this part finished.
		return outcome{reason: ReasonDeadline}
	case errors.Is(err, context.DeadlineExceeded):
		return outcome{reason: ReasonTimeout}
	default:
		return outcome{reason: ReasonError}
	}
}

// errNoTimeLeft: the deadline is too close for a call to be worth starting.
var errNoTimeLeft = errors.New("fanout: too close to the deadline to start a call")

// call is one upstream call: wait for a slot (bounded by ctx), then at most CallTimeout; the
// slot is released when Fetch has returned, i.e. when the upstream has let go of the call.
// A call that would get less than a quarter of its timeout before the deadline is not
// started: it would almost surely be cut, wasting the upstream's work and a slot.
func (a *Aggregator) call(ctx context.Context, name Name, productID string) ([]byte, error) {
	if err := a.slots.Acquire(ctx, 1); err != nil {
		return nil, fmt.Errorf("%s: waiting for a slot: %w", name, err)
	}
	defer a.slots.Release(1)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < a.policy.CallTimeout/4 {
		return nil, fmt.Errorf("%s: %w", name, errNoTimeLeft)
	}
	callCtx, cancel := context.WithTimeout(ctx, a.policy.CallTimeout)
	defer cancel()
	return a.upstreams[name].Fetch(callCtx, productID)
}
