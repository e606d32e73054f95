package adapters

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/app"
	"languagetracks.example/go/services/gateway/internal/metrics"
)

// countingClient is an in-process upstream: it counts the calls it gets.
type countingClient struct {
	recv1.RecommendationServiceClient
	name  string
	calls atomic.Int64
}

func (c *countingClient) Recommend(context.Context, *recv1.RecommendRequest, ...grpc.CallOption) (*recv1.RecommendResponse, error) {
	c.calls.Add(1)
	return &recv1.RecommendResponse{ModelVersion: c.name}, nil
}

func (c *countingClient) RecordFeedback(context.Context, *recv1.RecordFeedbackRequest, ...grpc.CallOption) (*recv1.RecordFeedbackResponse, error) {
	c.calls.Add(1)
	return &recv1.RecordFeedbackResponse{FeedbackId: c.name}, nil
}

// sequence is a deterministic Rand: 0, 1, …, n-1, 0, 1, … so 100 draws hit every percent once.
func sequence() func(int) int {
	var mu sync.Mutex
	next := 0
	return func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		v := next % n
		next++
		return v
	}
}

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

func TestRouterSplitsByWeight(t *testing.T) {
	for _, tc := range []struct {
		name    string
		weights app.Weights
	}{
		{"all on the first", app.Weights{"v1": 100}},
		{"canary 5 %", app.Weights{"v1": 95, "v2": 5}},
		{"half", app.Weights{"v1": 50, "v2": 50}},
		{"all on the last", app.Weights{"v3": 100}},
		{"three ways", app.Weights{"v1": 33, "v2": 33, "v3": 34}},
		{"one percent", app.Weights{"v1": 1, "v3": 99}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clients := []*countingClient{{name: "v1"}, {name: "v2"}, {name: "v3"}}
			routes := make([]Route, 0, len(clients))
			for _, c := range clients {
				routes = append(routes, Route{Name: c.name, Client: c})
			}
			router, err := NewRouter(RouterConfig{Routes: routes, Weights: tc.weights, Rand: sequence()})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 1000 {
				if i%2 == 0 {
					_, err = router.Recommend(t.Context(), &recv1.RecommendRequest{})
				} else {
					_, err = router.RecordFeedback(t.Context(), &recv1.RecordFeedbackRequest{})
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range clients {
				if got, want := c.calls.Load(), int64(10*tc.weights[c.name]); got != want {
					t.Errorf("%s got %d of 1000 calls, want %d (weight %d; weight 0 gets none)", c.name, got, want, tc.weights[c.name])
				}
			}
		})
	}
}

func TestNewRouterRejectsBadWeights(t *testing.T) {
	routes := []Route{{Name: "v1", Client: &countingClient{}}, {Name: "v2", Client: &countingClient{}}}
	for _, w := range []app.Weights{{}, {"v1": 90}, {"v1": 100, "v3": 0}, {"v1": 101, "v2": -1}} {
		if _, err := NewRouter(RouterConfig{Routes: routes, Weights: w}); !errors.Is(err, app.ErrWeights) {
			t.Errorf("weights %v: err %v, want ErrWeights", w, err)
		}
	}
	if _, err := NewRouter(RouterConfig{}); !errors.Is(err, ErrNoRoutes) {
		t.Errorf("no routes: err %v", err)
	}
}

func TestSetWeightsSwapsLogsAndExports(t *testing.T) {
	var logs bytes.Buffer
	m := metrics.New()
	routes := []Route{{Name: "v1", Client: &countingClient{}}, {Name: "v2", Client: &countingClient{}}}
	router, err := NewRouter(RouterConfig{Routes: routes, Weights: app.Weights{"v1": 100}, Metrics: m,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if text := scrape(t, m); !strings.Contains(text, `gateway_upstream_weight{upstream="v2"} 0`) || !strings.Contains(text, `gateway_upstream_weight{upstream="v1"} 100`) {
		t.Errorf("initial gauges missing:\n%s", text)
	}
	if _, err := router.SetWeights(app.Weights{"v1": 50, "v2": 49}, "admin"); !errors.Is(err, app.ErrWeights) {
		t.Fatalf("a sum of 99 was accepted: %v", err)
	}
	if got := router.Weights(); got["v1"] != 100 || got["v2"] != 0 {
		t.Fatalf("a rejected change moved the table: %v", got)
	}
	got, err := router.SetWeights(app.Weights{"v1": 95, "v2": 5}, "admin")
	if err != nil || got["v1"] != 95 || got["v2"] != 5 {
		t.Fatalf("SetWeights = %v, %v", got, err)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("want one JSON log line, got %q: %v", logs.String(), err)
	}
	if line["msg"] != "upstream weights changed" || line["from"] != "v1=100,v2=0" || line["to"] != "v1=95,v2=5" || line["by"] != "admin" {
		t.Errorf("log line %v", line)
	}
	if text := scrape(t, m); !strings.Contains(text, `gateway_upstream_weight{upstream="v2"} 5`) {
		t.Errorf("gauge not updated:\n%s", text)
	}
	got["v1"] = 0 // a copy: the router's table is not aliased
	if router.Weights()["v1"] != 95 {
		t.Error("Weights() aliases the table")
	}
}

// fixedHealth is an upstream whose watched health does not change.
type fixedHealth HealthStatus

func (h fixedHealth) Status() HealthStatus { return HealthStatus(h) }

const (
	up      = fixedHealth(HealthServing)
	down    = fixedHealth(HealthNotServing)
	unknown = fixedHealth(HealthUnknown)
)

// TestRouterReady: ready when at least one upstream with traffic is known SERVING; a draining
// (NOT_SERVING) one does not take the edge out of rotation while another takes its share.
func TestRouterReady(t *testing.T) {
	for _, tc := range []struct {
		name    string
		weights app.Weights
		v1, v2  fixedHealth
		want    bool
	}{
		{"both up", app.Weights{"v1": 50, "v2": 50}, up, up, true},
		{"standby down", app.Weights{"v1": 100}, up, down, true},
		{"canary down: v1 takes its share", app.Weights{"v1": 95, "v2": 5}, up, down, true},
		{"one of two draining", app.Weights{"v1": 50, "v2": 50}, down, up, true},
		{"all traffic on the down one", app.Weights{"v2": 100}, up, down, false},
		{"both down", app.Weights{"v1": 50, "v2": 50}, down, down, false},
		{"not yet checked", app.Weights{"v1": 50, "v2": 50}, unknown, unknown, false},
		{"one checked", app.Weights{"v1": 50, "v2": 50}, unknown, up, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			router, err := NewRouter(RouterConfig{Routes: []Route{
				{Name: "v1", Client: &countingClient{}, Health: tc.v1},
				{Name: "v2", Client: &countingClient{}, Health: tc.v2},
			}, Weights: tc.weights})
			if err != nil {
				t.Fatal(err)
			}
			if got := router.Ready(t.Context()); got != tc.want {
				t.Errorf("Ready = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPickSkipsUnhealthyUpstreams: NOT_SERVING upstreams get nothing and their share is
// spread over the routable ones in proportion to their weights; unknown counts as routable;
// with no weighted upstream routable the configured weights apply (errors show, not a 503
// the gateway made up). Draws are a full cycle of the range asked, so counts are exact.
func TestPickSkipsUnhealthyUpstreams(t *testing.T) {
	for _, tc := range []struct {
		name       string
		weights    app.Weights
		health     [3]fixedHealth
		want       [3]int64 // of 1000 calls (v1, v2, v3)
		wantRanges int      // the draw range asked of Rand
	}{
		{"all serving: the table", app.Weights{"v1": 50, "v2": 50}, [3]fixedHealth{up, up, up}, [3]int64{500, 500, 0}, 100},
		{"v2 draining: v1 takes all", app.Weights{"v1": 50, "v2": 50}, [3]fixedHealth{up, down, up}, [3]int64{1000, 0, 0}, 50},
		{"v1 gone: the others keep their 20:30 proportion", app.Weights{"v1": 50, "v2": 20, "v3": 30}, [3]fixedHealth{down, up, up}, [3]int64{0, 400, 600}, 50},
		{"unknown is routable", app.Weights{"v1": 50, "v2": 50}, [3]fixedHealth{unknown, down, up}, [3]int64{1000, 0, 0}, 50},
		{"a weight-0 upstream stays at 0 when the others are down", app.Weights{"v1": 60, "v2": 40}, [3]fixedHealth{down, up, up}, [3]int64{0, 1000, 0}, 40},
		{"none serving: the configured table", app.Weights{"v1": 50, "v2": 50}, [3]fixedHealth{down, down, up}, [3]int64{500, 500, 0}, 100},
		{"weight-0 down does not matter", app.Weights{"v1": 100}, [3]fixedHealth{up, down, down}, [3]int64{1000, 0, 0}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clients := []*countingClient{{name: "v1"}, {name: "v2"}, {name: "v3"}}
			routes := make([]Route, 0, len(clients))
			for i, c := range clients {
				routes = append(routes, Route{Name: c.name, Client: c, Health: tc.health[i]})
			}
			seq := sequence()
			ranges := map[int]bool{}
			router, err := NewRouter(RouterConfig{Routes: routes, Weights: tc.weights, Rand: func(n int) int { ranges[n] = true; return seq(n) }})
			if err != nil {
				t.Fatal(err)
			}
			for range 1000 {
				if _, err := router.Recommend(t.Context(), &recv1.RecommendRequest{}); err != nil {
					t.Fatal(err)
				}
			}
			for i, c := range clients {
				if got := c.calls.Load(); got != tc.want[i] {
					t.Errorf("%s got %d of 1000 calls, want %d", c.name, got, tc.want[i])
				}
			}
			if len(ranges) != 1 || !ranges[tc.wantRanges] {
				t.Errorf("draw ranges %v, want [0, %d)", ranges, tc.wantRanges)
			}
		})
	}
}

// flipping is a health that a test changes while calls run.
type flipping struct{ status atomic.Int32 }

func (f *flipping) Status() HealthStatus { return HealthStatus(f.status.Load()) }

// TestPickUnderChangingHealthRace: picks and health changes race (-race); a NOT_SERVING
// upstream that is not the last one routable never gets a call while it is down.
func TestPickUnderChangingHealthRace(t *testing.T) {
	a, b := &countingClient{name: "a"}, &countingClient{name: "b"}
	flip := &flipping{}
	router, err := NewRouter(RouterConfig{Routes: []Route{{Name: "a", Client: a, Health: flip}, {Name: "b", Client: b, Health: up}},
		Weights: app.Weights{"a": 50, "b": 50}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	var rounds [4]atomic.Int64 // loop turns begun by each caller
	for w := range rounds {
		wg.Go(func() {
			for ctx.Err() == nil {
				rounds[w].Add(1)
				if _, err := router.Recommend(t.Context(), &recv1.RecommendRequest{}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 200 {
		flip.status.Store(int32(HealthServing) + int32(i%2))
		time.Sleep(50 * time.Microsecond)
	}
	flip.status.Store(int32(HealthNotServing))
	// A barrier, not a sleep: a call picked before the flip may still be under way; once each
	// caller has begun another turn, every call still to come was picked after it.
	giveUp := time.Now().Add(5 * time.Second)
	for w := range rounds {
		for seen := rounds[w].Load(); rounds[w].Load() <= seen && time.Now().Before(giveUp); {
			runtime.Gosched()
		}
	}
	before := a.calls.Load()
	time.Sleep(5 * time.Millisecond)
	stop()
	wg.Wait()
	if got := a.calls.Load(); got != before {
		t.Errorf("the NOT_SERVING upstream got %d calls", got-before)
	}
	if b.calls.Load() == 0 {
		t.Error("the serving upstream got nothing")
	}
}

// named answers Recommend with its name after a short pause, so calls are in flight while
// the weights move; failFirst makes the first attempts UNAVAILABLE (retried by the config).
type named struct {
	recv1.UnimplementedRecommendationServiceServer
	name      string
	failFirst int64
	calls     atomic.Int64
	items     int
}

func (n *named) Recommend(context.Context, *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
	if n.calls.Add(1) <= n.failFirst {
		return nil, status.Error(codes.Unavailable, "warming up")
	}
	time.Sleep(time.Millisecond)
	return &recv1.RecommendResponse{ModelVersion: n.name}, nil
}

func (n *named) StreamRecommendations(_ *recv1.StreamRecommendationsRequest, srv grpc.ServerStreamingServer[recv1.StreamRecommendationsResponse]) error {
	for i := range n.items {
		if err := srv.Send(&recv1.StreamRecommendationsResponse{Position: int32(i)}); err != nil { // #nosec G115 -- a handful of items
			return err
		}
	}
	if n.items == 0 {
		<-srv.Context().Done() // a stream the client abandons
	}
	return nil
}

func realRoutes(t *testing.T, upstreams ...*named) []Route {
	t.Helper()
	routes := make([]Route, 0, len(upstreams))
	for _, u := range upstreams {
		conn := dialFake(t, func(s *grpc.Server) { recv1.RegisterRecommendationServiceServer(s, u) })
		routes = append(routes, Route{Name: u.name, Client: recv1.NewRecommendationServiceClient(conn)})
	}
	return routes
}

// TestSwitchUnderLoadFailsNothing is blue/green: callers hammer the router over real gRPC
// connections while the weights flip back and forth; no call may fail, and once the table
// says v2=100 every new call lands on v2.
func TestSwitchUnderLoadFailsNothing(t *testing.T) {
	blue, green := &named{name: "blue"}, &named{name: "green"}
	router, err := NewRouter(RouterConfig{Routes: realRoutes(t, blue, green), Weights: app.Weights{"blue": 100},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	var failures, calls atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := router.Recommend(context.WithoutCancel(ctx), &recv1.RecommendRequest{}); err != nil {
					failures.Add(1)
					t.Errorf("call failed during a switch: %v", err)
				}
				calls.Add(1)
			}
		})
	}
	tables := []app.Weights{{"blue": 100}, {"blue": 50, "green": 50}, {"green": 100}, {"blue": 95, "green": 5}}
	// At least 40 switches with at least 200 calls across them (a loaded machine is slower).
	giveUp := time.Now().Add(10 * time.Second)
	for i := 0; i < 40 || (calls.Load() < 200 && time.Now().Before(giveUp)); i++ {
		if _, err := router.SetWeights(tables[i%len(tables)], "test"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	stop()
	wg.Wait()
	if failures.Load() != 0 || calls.Load() < 200 {
		t.Fatalf("%d of %d calls failed (want 0 of at least 200)", failures.Load(), calls.Load())
	}
	if _, err := router.SetWeights(app.Weights{"green": 100}, "test"); err != nil {
		t.Fatal(err)
	}
	before := blue.calls.Load()
	for range 50 {
		resp, err := router.Recommend(t.Context(), &recv1.RecommendRequest{})
		if err != nil || resp.GetModelVersion() != "green" {
			t.Fatalf("after the switch: %v, %v", resp, err)
		}
	}
	if blue.calls.Load() != before {
		t.Errorf("blue got %d calls at weight 0", blue.calls.Load()-before)
	}
}

// TestRetriesStayOnTheChosenUpstream: the service config retries UNAVAILABLE inside the one
// ClientConn the call was routed to; the other upstream sees nothing.
func TestRetriesStayOnTheChosenUpstream(t *testing.T) {
	flaky, other := &named{name: "flaky", failFirst: 2}, &named{name: "other"}
	m := metrics.New()
	draws := []int{10} // 10 < 50: flaky
	router, err := NewRouter(RouterConfig{Routes: realRoutes(t, flaky, other), Weights: app.Weights{"flaky": 50, "other": 50},
		Metrics: m, Rand: func(int) int { v := draws[0]; draws = draws[1:]; return v }})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := router.Recommend(t.Context(), &recv1.RecommendRequest{})
	if err != nil || resp.GetModelVersion() != "flaky" {
		t.Fatalf("Recommend = %v, %v", resp, err)
	}
	if flaky.calls.Load() != 3 || other.calls.Load() != 0 {
		t.Errorf("attempts: flaky %d (want 3), other %d (want 0)", flaky.calls.Load(), other.calls.Load())
	}
	if text := scrape(t, m); !strings.Contains(text, `gateway_upstream_requests_total{code="OK",upstream="flaky"} 1`) {
		t.Errorf("one call (its retries inside) must count once:\n%s", text)
	}
}

func TestStreamsAreObservedOnceWhenTheyEnd(t *testing.T) {
	full, stuck := &named{name: "full", items: 3}, &named{name: "stuck"}
	m := metrics.New()
	draws := []int{0, 99} // full, then stuck
	router, err := NewRouter(RouterConfig{Routes: realRoutes(t, full, stuck), Weights: app.Weights{"full": 50, "stuck": 50},
		Metrics: m, Rand: func(int) int { v := draws[0]; draws = draws[1:]; return v }})
	if err != nil {
		t.Fatal(err)
	}
	stream, err := router.StreamRecommendations(t.Context(), &recv1.StreamRecommendationsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	_, _ = stream.Recv() // reading past the end does not count again
	ctx, cancel := context.WithCancel(t.Context())
	abandoned, err := router.StreamRecommendations(ctx, &recv1.StreamRecommendationsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	_ = abandoned
	cancel() // the handler stopped reading: the stream ends with its context
	deadline := time.Now().Add(time.Second)
	want := []string{
		`gateway_upstream_requests_total{code="OK",upstream="full"} 1`,
		`gateway_upstream_requests_total{code="CANCELLED",upstream="stuck"} 1`,
	}
	for {
		text := scrape(t, m)
		missing := ""
		for _, w := range want {
			if !strings.Contains(text, w) {
				missing = w
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("missing %s in:\n%s", missing, text)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n != 3 {
		t.Errorf("read %d items, want 3", n)
	}
}

// TestPickIsCheap: the pick runs on every call; with an upstream down it still allocates
// nothing (the shares live on the stack) and makes no RPC (Health is an atomic read).
func TestPickIsCheap(t *testing.T) {
	router, err := NewRouter(RouterConfig{Routes: []Route{
		{Name: "v1", Client: &countingClient{}, Health: up},
		{Name: "v2", Client: &countingClient{}, Health: down},
		{Name: "v3", Client: &countingClient{}, Health: &flipping{}},
	}, Weights: app.Weights{"v1": 40, "v2": 30, "v3": 30}})
	if err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(1000, func() { _ = router.pick() }); allocs != 0 {
		t.Errorf("pick allocates %.1f times per call, want 0", allocs)
	}
}
