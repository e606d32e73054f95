package adapters

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// syncBuffer is a log sink the watcher's goroutine and the test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// callCounter counts the calls a client STARTS: once Close has returned, no new one may. (The
// fake server's own count can still grow after Close, by a check sent just before it.)
type callCounter struct {
	grpc.ClientConnInterface
	started atomic.Int64
}

func (c *callCounter) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	c.started.Add(1)
	return c.ClientConnInterface.Invoke(ctx, method, args, reply, opts...)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5 s: %s", what)
		}
	}
}

// TestHealthWatcherFollowsTheUpstream: the watcher polls in the background, so Status follows
// SERVING → NOT_SERVING (a drain) → SERVING without any caller making an RPC; each change is
// logged once; Close ends its goroutine (goleak in TestMain).
func TestHealthWatcherFollowsTheUpstream(t *testing.T) {
	fake := &countingHealth{}
	fake.status.Store(int32(healthpb.HealthCheckResponse_SERVING))
	conn := &callCounter{ClientConnInterface: dialFake(t, func(s *grpc.Server) { healthpb.RegisterHealthServer(s, fake) })}
	var logs syncBuffer
	// A generous timeout: on a loaded machine a check over 500 ms would be a real NOT_SERVING
	// (and a fourth log line) — what this test pins is following the upstream's answers.
	w := NewHealthWatcher(HealthWatcherConfig{Name: "v1", Conn: conn, Interval: 2 * time.Millisecond, Timeout: 10 * time.Second, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	defer w.Close()
	eventually(t, "SERVING seen", func() bool { return w.Status() == HealthServing })
	fake.status.Store(int32(healthpb.HealthCheckResponse_NOT_SERVING))
	eventually(t, "NOT_SERVING seen", func() bool { return w.Status() == HealthNotServing })
	fake.status.Store(int32(healthpb.HealthCheckResponse_SERVING))
	eventually(t, "SERVING again", func() bool { return w.Status() == HealthServing })
	checks := fake.checks.Load()
	eventually(t, "polling goes on", func() bool { return fake.checks.Load() > checks+2 })
	w.Close()
	after := conn.started.Load()
	time.Sleep(20 * time.Millisecond)
	if conn.started.Load() != after {
		t.Error("checks went on after Close")
	}
	text := logs.String()
	for _, want := range []string{`"from":"unknown","to":"serving"`, `"from":"serving","to":"not_serving"`, `"from":"not_serving","to":"serving"`} {
		if strings.Count(text, want) != 1 {
			t.Errorf("want one log line with %s, got:\n%s", want, text)
		}
	}
}

func TestHealthWatcherWithoutHealthServiceIsNotServing(t *testing.T) {
	conn := dialFake(t, func(*grpc.Server) {}) // UNIMPLEMENTED
	w := NewHealthWatcher(HealthWatcherConfig{Name: "v1", Conn: conn, Interval: 2 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	defer w.Close()
	if s := w.Status(); s == HealthServing {
		t.Fatalf("status %v before any answer", s)
	}
	eventually(t, "NOT_SERVING for an upstream without a health service", func() bool { return w.Status() == HealthNotServing })
}

func TestHealthWatcherDefaults(t *testing.T) {
	conn := dialFake(t, func(*grpc.Server) {})
	w := NewHealthWatcher(HealthWatcherConfig{Conn: conn, Logger: slog.New(slog.DiscardHandler)})
	defer w.Close()
	if w.cfg.Interval != DefaultHealthInterval || w.cfg.Timeout != 500*time.Millisecond {
		t.Errorf("interval %v timeout %v", w.cfg.Interval, w.cfg.Timeout)
	}
	for s, want := range map[HealthStatus]string{HealthUnknown: "unknown", HealthServing: "serving", HealthNotServing: "not_serving"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q", s, s.String())
		}
	}
}
