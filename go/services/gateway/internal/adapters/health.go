package adapters

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// HealthStatus is what the gateway last heard from one upstream's gRPC health service.
type HealthStatus int32

const (
	// HealthUnknown means no answer yet (just started). Routable (the Router does not starve a
	// fresh upstream), but it does not make the gateway ready.
	HealthUnknown HealthStatus = iota
	// HealthServing means the last check said SERVING.
	HealthServing
	// HealthNotServing means the last check said anything else (NOT_SERVING while it drains,
	// SERVICE_UNKNOWN), or failed (unreachable, no health service, timeout).
	HealthNotServing
)

func (s HealthStatus) String() string {
	switch s {
	case HealthServing:
		return "serving"
	case HealthNotServing:
		return "not_serving"
	default:
		return "unknown"
	}
}

// DefaultHealthInterval is how often a HealthWatcher asks when its config says nothing.
const DefaultHealthInterval = 500 * time.Millisecond

// HealthWatcherConfig is what NewHealthWatcher needs.
type HealthWatcherConfig struct {
	// Name is the upstream's name, for the log line of each change.
	Name string
	// Conn is the upstream's ClientConn (the one its calls use).
	Conn grpc.ClientConnInterface
	// Service is the name asked of the health service ("" = the whole server).
	Service string
	// Interval between checks; 0 means DefaultHealthInterval.
	Interval time.Duration
	// Timeout of one check; 0 means 500 ms (a slow check delays the next one, never overlaps it).
	Timeout time.Duration
	// Logger logs every change of status; nil means slog.Default().
	Logger *slog.Logger
}

// HealthWatcher asks one upstream's standard gRPC health service every Interval in its own
// goroutine and keeps the last answer in an atomic, so the request path (the Router's pick)
// and /readyz read it for the price of a load, never an RPC. Close stops the goroutine.
//
// It polls Check rather than holding a Watch stream open: an open stream is an in-flight call,
// and a server's graceful stop waits for in-flight calls (the Python recommender's
// server.stop(grace) for its whole grace, grpc-go's GracefulStop for ever), so a watcher would
// slow every drain down. A poll costs a few small RPCs per second per upstream.
type HealthWatcher struct {
	cfg    HealthWatcherConfig
	client healthpb.HealthClient
	status atomic.Int32
	stop   context.CancelFunc
	done   sync.WaitGroup
}

// NewHealthWatcher starts watching; the first check goes out at once.
func NewHealthWatcher(cfg HealthWatcherConfig) *HealthWatcher {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultHealthInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, stop := context.WithCancel(context.Background())
	w := &HealthWatcher{cfg: cfg, client: healthpb.NewHealthClient(cfg.Conn), stop: stop}
	w.done.Go(func() { w.loop(ctx) })
	return w
}

// Status is the last answer (HealthUnknown before the first).
func (w *HealthWatcher) Status() HealthStatus { return HealthStatus(w.status.Load()) }

// Close stops the checks and waits for the goroutine to end.
func (w *HealthWatcher) Close() {
	w.stop()
	w.done.Wait()
}

func (w *HealthWatcher) loop(ctx context.Context) {
	ticker := time.NewTicker(w.cfg.Interval)
	defer ticker.Stop()
	for {
		w.check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func (w *HealthWatcher) check(ctx context.Context) {
	callCtx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	resp, err := w.client.Check(callCtx, &healthpb.HealthCheckRequest{Service: w.cfg.Service})
	if ctx.Err() != nil {
		return // closing: the failed check says nothing about the upstream
	}
	now := HealthNotServing
	if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
		now = HealthServing
	}
	if old := HealthStatus(w.status.Swap(int32(now))); old != now {
		args := []any{"upstream", w.cfg.Name, "from", old.String(), "to", now.String()}
		if err != nil {
			args = append(args, "error", err.Error())
		}
		w.cfg.Logger.Info("upstream health changed", args...)
	}
}
