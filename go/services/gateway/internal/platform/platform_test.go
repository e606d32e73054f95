package platform

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoad(t *testing.T) {
	cfg, err := Load([]string{"--port", "0"}, env(map[string]string{"GATEWAY_RECOMMENDER_ADDR": "127.0.0.1:50051"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Tokens.Issuer != "language-tracks-dev" || cfg.Tokens.Audience != "recommender" || len(cfg.Tokens.Secret) < 32 {
		t.Errorf("JWT defaults %+v: the recommender's dev settings", cfg.Tokens)
	}
	if cfg.Addr() != "127.0.0.1:0" || cfg.Budget.Max != time.Second || cfg.Budget.Margin != 50*time.Millisecond || cfg.HealthInterval != 500*time.Millisecond || cfg.DrainDelay != 0 {
		t.Errorf("defaults %+v", cfg)
	}
	cfg, err = Load(nil, env(map[string]string{"GATEWAY_RECOMMENDER_ADDR": "r:1", "GATEWAY_REQUEST_BUDGET_MS": "300", "GATEWAY_DEADLINE_MARGIN_MS": "20", "GATEWAY_DRAIN_DELAY_MS": "5"}))
	if err != nil || cfg.Budget.Max != 300*time.Millisecond || cfg.Budget.Margin != 20*time.Millisecond || cfg.DrainDelay != 5*time.Millisecond {
		t.Errorf("%+v, %v", cfg, err)
	}
	bad := []struct {
		name string
		args []string
		vars map[string]string
	}{
		{"no recommender", nil, map[string]string{}},
		{"bad flag", []string{"--nope"}, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "r:1"}},
		{"bad port", []string{"--port", "70000"}, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "r:1"}},
		{"extra argument", []string{"x"}, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "r:1"}},
		{"budget not a number", nil, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "r:1", "GATEWAY_REQUEST_BUDGET_MS": "1s"}},
		{"budget zero", nil, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "r:1", "GATEWAY_REQUEST_BUDGET_MS": "0"}},
		{"margin not below budget", nil, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "r:1", "GATEWAY_REQUEST_BUDGET_MS": "50", "GATEWAY_DEADLINE_MARGIN_MS": "50"}},
		{"JWT secret too short", nil, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "r:1", "RECOMMENDER_JWT_SECRET": "short"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Load(tc.args, env(tc.vars)); !errors.Is(err, ErrUsage) {
				t.Errorf("error %v, want ErrUsage", err)
			}
		})
	}
}

// drainFlag records SetDraining and closes marked, so a test waits on the event.
type drainFlag struct {
	on     atomic.Bool
	marked chan struct{}
}

func (d *drainFlag) SetDraining() {
	if !d.on.Swap(true) {
		close(d.marked)
	}
}

// TestServeDrains: on ctx done the handler is marked draining first, an in-flight request
// still finishes, then Serve returns nil.
func TestServeDrains(t *testing.T) {
	ln, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	drainer := &drainFlag{marked: make(chan struct{})}
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, handler, drainer, 10*time.Millisecond, NewLogger(io.Discard)) }()

	answered := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow") //nolint:noctx // a plain client in a test
		if err != nil {
			answered <- err.Error()
			return
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		answered <- string(body)
	}()
	<-started
	cancel()
	select { // the drain began: an event, not a sleep
	case <-drainer.marked:
	case <-time.After(5 * time.Second):
		t.Error("the handler was not marked draining")
	}
	close(release)
	if got := <-answered; got != "done" {
		t.Errorf("in-flight request got %q, want done", got)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v", err)
	}
}

func TestTraceFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spans.jsonl")
	tp, shutdown, err := NewTracerProvider(path)
	if err != nil {
		t.Fatal(err)
	}
	_, span := tp.Tracer("test").Start(t.Context(), "one")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), span.SpanContext().TraceID().String()) {
		t.Errorf("trace file lacks the span: %s", data)
	}
	if _, _, err := NewTracerProvider(filepath.Join(t.TempDir(), "missing", "x.jsonl")); err == nil {
		t.Error("an unwritable trace file must fail")
	}
}
