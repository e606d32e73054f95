package platform

import (
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"languagetracks.example/go/services/catalog/internal/observability"
)

// NewLogger returns the service's structured logger: one JSON object per line on w, with the
// request id of the context a line is logged with (observability.ContextHandler).
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(observability.ContextHandler{Handler: slog.NewJSONHandler(w, nil)})
}

// ShutdownGrace is how long Serve waits for in-flight requests by default once draining.
const ShutdownGrace = 5 * time.Second

// Readiness is what GET /readyz reports: ready from the start, not ready once draining.
type Readiness struct {
	draining atomic.Bool
}

// Ready reports whether the service may receive traffic.
func (r *Readiness) Ready() bool { return r != nil && !r.draining.Load() }

// Drain marks the service not ready, for good.
func (r *Readiness) Drain() {
	if r != nil {
		r.draining.Store(true)
	}
}

// ServeOptions is how Serve shuts down.
type ServeOptions struct {
	// Readiness is flipped to not ready first thing on shutdown; nil: none.
	Readiness *Readiness
	// DrainDelay is how long the server keeps accepting requests once not ready, so load
	// balancers polling /readyz stop sending traffic before the listener closes.
	DrainDelay time.Duration
	// Grace bounds the wait for in-flight requests after the listener closes; 0: ShutdownGrace.
	Grace time.Duration
}
