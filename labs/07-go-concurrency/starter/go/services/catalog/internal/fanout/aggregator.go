package fanout

import (
	"context"
	"errors"
	"fmt"
)

// Aggregator asks the three upstreams of a product for its details (lab 7).
//
// TODO(lab 7): this version works but asks the upstreams one after another, with no time
// budget and no bound. Make it ask them at the same time (step 1), cut each call at
// Policy.CallTimeout (step 2) and the whole fan-out at Policy.Deadline (step 3), bound the
// calls in flight over all requests with one shared semaphore (step 4), and make sure no
// goroutine outlives its request (step 5). README: labs/07-go-concurrency/README.md.
type Aggregator struct {
	upstreams Upstreams
	policy    Policy
}

// NewAggregator returns one aggregator per application.
func NewAggregator(upstreams Upstreams, policy Policy) (*Aggregator, error) {
	if err := policy.Validate(); err != nil {
		return nil, err
	}
	for _, name := range Names {
		if upstreams[name] == nil {
			return nil, fmt.Errorf("fanout: no %s upstream", name)
		}
	}
	// TODO(lab 7) step 4: create the semaphore shared by every request here
	// (semaphore.NewWeighted(int64(policy.MaxConcurrency))).
	return &Aggregator{upstreams: upstreams, policy: policy}, nil
}

// Fetch returns every part that arrived; the others are listed in Degraded.
func (a *Aggregator) Fetch(ctx context.Context, productID string) Details {
	// TODO(lab 7) step 3: one context.WithTimeout(ctx, a.policy.Deadline) for the whole fan-out.
	parts := make(map[Name]outcome, len(Names))
	// TODO(lab 7) step 1: one goroutine per part with errgroup (group.Go, then group.Wait);
	// the map is then written from several goroutines: guard it with a sync.Mutex.
	for _, name := range Names {
		parts[name] = a.part(ctx, name, productID)
	}
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
	case ctx.Err() != nil:
		// The overall deadline passed (or the request ended) before this part finished.
		return outcome{reason: ReasonDeadline}
	case errors.Is(err, context.DeadlineExceeded):
		return outcome{reason: ReasonTimeout}
	default:
		return outcome{reason: ReasonError}
	}
}

// call is one upstream call.
func (a *Aggregator) call(ctx context.Context, name Name, productID string) ([]byte, error) {
	// TODO(lab 7) step 4: acquire a slot of the shared semaphore (with ctx), release it after
	// Fetch has returned (also for a call given up on: README, step 4).
	// TODO(lab 7) step 2: derive a context.WithTimeout(ctx, a.policy.CallTimeout) and pass it
	// down; never context.Background(), or a cancelled request keeps calling.
	return a.upstreams[name].Fetch(ctx, productID)
}
