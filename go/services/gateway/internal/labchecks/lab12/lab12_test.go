// Package lab12 holds lab 12's acceptance tests for the gateway (labs/12-unary-call-path):
// the gRPC deadline is the request budget minus the margin, the client's header can only
// shrink it, a spent budget is a 504 without a call, and the caller's W3C trace continues
// into the recommender. The gateway is wired as in main (real adapters.Dial: service
// config, otelgrpc) to a fake recommender over bufconn.
package lab12

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/adapters"
	"languagetracks.example/go/services/gateway/internal/app"
	"languagetracks.example/go/services/gateway/internal/ports"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	step  = "README step 1 (go/services/gateway/internal/ports/http.go callContext, TODO(lab 12))"
	token = "Bearer lab12.test.token"
	// The harness's budget: 1 s per request, 50 ms kept back for the gateway's answer.
	maxBudget = time.Second
	margin    = 50 * time.Millisecond
)

// seen is what the fake recommender saw of one call.
type seen struct {
	md        metadata.MD
	remaining time.Duration
	deadline  bool
}

type fake struct {
	recv1.UnimplementedRecommendationServiceServer
	mu    sync.Mutex
	calls []seen
	delay time.Duration // > 0: wait this long (or until the deadline) before answering
}

func (f *fake) Recommend(ctx context.Context, _ *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	c := seen{md: md}
	if dl, ok := ctx.Deadline(); ok {
		c.remaining, c.deadline = time.Until(dl), true
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		case <-time.After(f.delay):
		}
	}
	return &recv1.RecommendResponse{ModelVersion: "fake", Recommendations: []*recv1.Recommendation{{ItemId: "es-1", Title: "Ser y estar", Score: 0.9, Reason: "popular"}}}, nil
}

func (f *fake) seen() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.calls...)
}

// gateway serves the HTTP API over a fake recommender; it returns the base URL.
func gateway(t *testing.T, f *fake) string {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	grpcServer := grpc.NewServer()
	recv1.RegisterRecommendationServiceServer(grpcServer, f)
	go func() { _ = grpcServer.Serve(lis) }()
	tp := sdktrace.NewTracerProvider()
	conn, err := adapters.Dial(adapters.DialConfig{
		Target: "bufnet", TracerProvider: tp, Propagator: propagation.TraceContext{},
		Extra: []grpc.DialOption{grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) })},
	})
	if err != nil {
		t.Fatal(err)
	}
	server, err := ports.NewServer(ports.ServerConfig{
		Recommender: recv1.NewRecommendationServiceClient(conn),
		Budget:      app.Budget{Max: maxBudget, Margin: margin},
		Tracer:      tp.Tracer("lab12"),
		Propagator:  propagation.TraceContext{},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server)
	t.Cleanup(func() {
		ts.Close()
		_ = conn.Close()
		grpcServer.Stop()
		_ = tp.Shutdown(context.Background())
	})
	return ts.URL
}

type answer struct {
	status int
	body   map[string]any
}

func get(t *testing.T, url string, headers map[string]string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/users/u1/recommendations?language=es", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("status %d, body is not a JSON object: %s", resp.StatusCode, data)
	}
	return answer{resp.StatusCode, body}
}

// TestTheCallHasTheBudgetMinusTheMargin: the recommender sees a deadline, never more than
// the request's budget minus the margin, and the client's header can only shrink the budget.
func TestTheCallHasTheBudgetMinusTheMargin(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		ceiling      time.Duration
	}{
		{"no header: the server's budget", "", maxBudget - margin},
		{"the client asks for less", "300", 300*time.Millisecond - margin},
		{"the client asks for more: capped at the server's budget", "60000", maxBudget - margin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			url := gateway(t, f)
			headers := map[string]string{}
			if tc.header != "" {
				headers[ports.TimeoutHeader] = tc.header
			}
			if a := get(t, url, headers); a.status != http.StatusOK {
				t.Fatalf("status %d, want 200: %v", a.status, a.body)
			}
			calls := f.seen()
			if len(calls) != 1 {
				t.Fatalf("%d calls, want 1", len(calls))
			}
			c := calls[0]
			if !c.deadline {
				t.Fatalf("%s: the recommender saw NO deadline: the call context must carry the request's budget (context.WithDeadline), not only r.Context()", step)
			}
			if c.remaining <= 0 || c.remaining > tc.ceiling {
				t.Errorf("%s: X-Request-Timeout-Ms %q: the recommender saw %v left; want at most %v (budget minus the %v margin)", step, tc.header, c.remaining.Round(time.Millisecond), tc.ceiling, margin)
			}
			if c.remaining < tc.ceiling-200*time.Millisecond {
				t.Errorf("%s: the recommender saw only %v left; want close to %v", step, c.remaining.Round(time.Millisecond), tc.ceiling)
			}
			if got := c.md.Get("authorization"); len(got) != 1 || got[0] != token {
				t.Errorf("authorization metadata %v, want [%s]", got, token)
			}
		})
	}
}

// TestASpentBudgetIs504WithoutACall: a budget no larger than the margin leaves nothing for
// the call; the gateway answers at once instead of calling.
func TestASpentBudgetIs504WithoutACall(t *testing.T) {
	for _, header := range []string{"0", "10", "50"} {
		f := &fake{}
		url := gateway(t, f)
		a := get(t, url, map[string]string{ports.TimeoutHeader: header})
		if a.status != http.StatusGatewayTimeout || a.body["code"] != "deadline_exceeded" {
			t.Errorf("%s: X-Request-Timeout-Ms %s: status %d code %v, want 504 deadline_exceeded", step, header, a.status, a.body["code"])
		}
		if n := len(f.seen()); n != 0 {
			t.Errorf("%s: X-Request-Timeout-Ms %s: %d calls to the recommender, want none (s.budget.CallDeadline says ok=false)", step, header, n)
		}
	}
}

// TestABadTimeoutHeaderIs400: the header is validated, naming the field.
func TestABadTimeoutHeaderIs400(t *testing.T) {
	for _, header := range []string{"abc", "-5", "1.5"} {
		f := &fake{}
		url := gateway(t, f)
		a := get(t, url, map[string]string{ports.TimeoutHeader: header})
		if a.status != http.StatusBadRequest || !strings.Contains(toJSON(a.body), ports.TimeoutHeader) {
			t.Errorf("%s: X-Request-Timeout-Ms %q: status %d %v, want 400 naming %s", step, header, a.status, a.body, ports.TimeoutHeader)
		}
		if n := len(f.seen()); n != 0 {
			t.Errorf("X-Request-Timeout-Ms %q: %d calls, want none", header, n)
		}
	}
}

// TestASlowRecommenderIs504WithinTheBudget: the deadline stops the call, so the client gets
// its 504 envelope before its own budget runs out.
func TestASlowRecommenderIs504WithinTheBudget(t *testing.T) {
	f := &fake{delay: 3 * time.Second}
	url := gateway(t, f)
	start := time.Now()
	a := get(t, url, map[string]string{ports.TimeoutHeader: "200"})
	elapsed := time.Since(start)
	if a.status != http.StatusGatewayTimeout || a.body["code"] != "deadline_exceeded" {
		t.Errorf("%s: status %d code %v, want 504 deadline_exceeded", step, a.status, a.body["code"])
	}
	// The call's deadline is 150 ms in; the slack is for a loaded machine, far below the 3 s
	// a call without a deadline takes.
	if elapsed > 300*time.Millisecond {
		t.Errorf("%s: answered after %v; with a 200 ms budget the call's deadline (150 ms) must stop it", step, elapsed.Round(time.Millisecond))
	}
}

// TestTheTraceContinuesIntoTheRecommender: the otelgrpc client handler sends the caller's
// trace id as traceparent metadata, with the gateway's own span as the parent.
func TestTheTraceContinuesIntoTheRecommender(t *testing.T) {
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	f := &fake{}
	url := gateway(t, f)
	if a := get(t, url, map[string]string{"traceparent": "00-" + traceID + "-00f067aa0ba902b7-01"}); a.status != http.StatusOK {
		t.Fatalf("status %d: %v", a.status, a.body)
	}
	got := f.seen()[0].md.Get("traceparent")
	if len(got) != 1 || !strings.HasPrefix(got[0], "00-"+traceID+"-") {
		t.Errorf("README step 4: the recommender saw traceparent %v; want trace %s (the otelgrpc stats handler in adapters.Dial)", got, traceID)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
