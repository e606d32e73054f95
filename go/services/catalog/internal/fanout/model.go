// Package fanout assembles a product's details from three upstreams (pricing, inventory,
// reviews), concurrently and on a time budget (lab 7):
//
//   - upstreams.go: the Upstream port, an in-process simulated adapter (the default) and an
//     HTTP adapter, plus the typed payloads each upstream answers;
//   - reviews.go: a pure function that drops near-duplicate reviews and ranks the rest;
//   - aggregator.go: the fan-out/fan-in itself, errgroup, deadlines and a shared semaphore
//     (the file lab 7 owns);
//   - config.go: the policy and the upstream wiring read from the environment.
//
// The answer is the Python catalog's, field for field (python/services/catalog/README.md,
// "Product details").
package fanout

import (
	"fmt"
	"time"
)

// Name is an upstream's name, also its path segment and its field in the answer.
type Name string

// The three upstreams, in the order parts and degraded entries are listed.
const (
	Pricing   Name = "pricing"
	Inventory Name = "inventory"
	Reviews   Name = "reviews"
)

// Names lists every upstream in answer order.
var Names = [...]Name{Pricing, Inventory, Reviews}

// Reason says why a part is missing.
type Reason string

// The reasons a part can be missing.
const (
	// ReasonTimeout means its call exceeded the per-call timeout.
	ReasonTimeout Reason = "timeout"
	// ReasonError means it failed: connection error, non-2xx, a payload of the wrong shape.
	ReasonError Reason = "error"
	// ReasonDeadline means the overall deadline (or the request's end) came first.
	ReasonDeadline Reason = "deadline"
	// ReasonCircuitOpen means its upstream's circuit breaker was open, so it was not called
	// (lab 9: internal/resilience turns the aggregator's "error" into this one).
	ReasonCircuitOpen Reason = "circuit_open"
)

// Policy is the fan-out's time budget and bound.
type Policy struct {
	// CallTimeout bounds each upstream call.
	CallTimeout time.Duration
	// Deadline bounds the whole fan-out of one request.
	Deadline time.Duration
	// MaxConcurrency bounds the upstream calls in flight, all requests together.
	MaxConcurrency int
}

// DefaultPolicy is the Python twin's: 500 ms per call, 800 ms overall, 64 calls in flight.
var DefaultPolicy = Policy{CallTimeout: 500 * time.Millisecond, Deadline: 800 * time.Millisecond, MaxConcurrency: 64}

// Validate reports a policy the aggregator cannot run with.
func (p Policy) Validate() error {
	if p.CallTimeout <= 0 || p.Deadline <= 0 {
		return fmt.Errorf("fanout: call timeout and deadline must be positive, got %v and %v", p.CallTimeout, p.Deadline)
	}
	if p.MaxConcurrency < 1 {
		return fmt.Errorf("fanout: max concurrency must be at least 1, got %d", p.MaxConcurrency)
	}
	return nil
}

// Degraded is one missing part and why.
type Degraded struct {
	Upstream Name   `json:"upstream"`
	Reason   Reason `json:"reason"`
}

// Details is what the upstreams said about one product; a nil part is listed in Degraded.
type Details struct {
	Pricing   *PricingInfo
	Inventory *InventoryInfo
	Reviews   *ReviewSummary
	// Degraded has one entry per nil part, in the order of Names; empty when complete.
	Degraded []Degraded
}

// outcome is one part's result: its value, or why it is missing.
type outcome struct {
	value  any
	reason Reason
}

// assemble puts the parts in their fields and lists the missing ones in answer order; a part
// with no outcome at all (never run) counts as cut by the deadline.
func assemble(parts map[Name]outcome) Details {
	details := Details{Degraded: []Degraded{}}
	for _, name := range Names {
		part, ok := parts[name]
		if !ok {
			part = outcome{reason: ReasonDeadline}
		}
		if part.reason != "" {
			details.Degraded = append(details.Degraded, Degraded{Upstream: name, Reason: part.reason})
			continue
		}
		switch v := part.value.(type) {
		case *PricingInfo:
			details.Pricing = v
		case *InventoryInfo:
			details.Inventory = v
		case *ReviewSummary:
			details.Reviews = v
		}
	}
	return details
}
