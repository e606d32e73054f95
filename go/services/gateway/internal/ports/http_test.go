package ports_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/adapters"
	"languagetracks.example/go/services/gateway/internal/app"
	"languagetracks.example/go/services/gateway/internal/metrics"
	"languagetracks.example/go/services/gateway/internal/ports"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const token = "Bearer test.jwt.token"

// call is what the fake recommender saw of one attempt.
type call struct {
	method    string
	md        metadata.MD
	remaining time.Duration // time to the deadline when the call arrived; 0 = none
	hasDL     bool
	request   any
}

// fake is an in-process RecommendationService: each test sets the handlers it needs.
type fake struct {
	recv1.UnimplementedRecommendationServiceServer
	mu        sync.Mutex
	calls     []call
	recommend func(ctx context.Context, attempt int, req *recv1.RecommendRequest) (*recv1.RecommendResponse, error)
	stream    func(req *recv1.StreamRecommendationsRequest, srv grpc.ServerStreamingServer[recv1.StreamRecommendationsResponse]) error
	feedback  func(ctx context.Context, attempt int, req *recv1.RecordFeedbackRequest) (*recv1.RecordFeedbackResponse, error)
}

func (f *fake) record(ctx context.Context, method string, req any) int {
	md, _ := metadata.FromIncomingContext(ctx)
	c := call{method: method, md: md, request: req}
	if dl, ok := ctx.Deadline(); ok {
		c.remaining, c.hasDL = time.Until(dl), true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	n := 0
	for _, seen := range f.calls {
		if seen.method == method {
			n++
		}
	}
	return n
}

func (f *fake) seen() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func (f *fake) Recommend(ctx context.Context, req *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
	attempt := f.record(ctx, "Recommend", req)
	if f.recommend == nil {
		return &recv1.RecommendResponse{ModelVersion: "fake"}, nil
	}
	return f.recommend(ctx, attempt, req)
}

func (f *fake) StreamRecommendations(req *recv1.StreamRecommendationsRequest, srv grpc.ServerStreamingServer[recv1.StreamRecommendationsResponse]) error {
	f.record(srv.Context(), "StreamRecommendations", req)
	return f.stream(req, srv)
}

func (f *fake) RecordFeedback(ctx context.Context, req *recv1.RecordFeedbackRequest) (*recv1.RecordFeedbackResponse, error) {
	attempt := f.record(ctx, "RecordFeedback", req)
	return f.feedback(ctx, attempt, req)
}

// harness is the gateway wired as in main (real Dial: service config, otelgrpc) to a fake
// over bufconn, served by httptest.
type harness struct {
	fake    *fake
	health  *health.Server
	server  *ports.Server
	url     string
	spans   *tracetest.InMemoryExporter
	metrics *metrics.Metrics
}

func newHarness(t *testing.T, f *fake) *harness {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	grpcServer := grpc.NewServer()
	recv1.RegisterRecommendationServiceServer(grpcServer, f)
	healthServer := health.NewServer()
	healthpb.RegisterHealthServer(grpcServer, healthServer)
	go func() { _ = grpcServer.Serve(lis) }()

	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	conn, err := adapters.Dial(adapters.DialConfig{
		Target: "bufnet", TracerProvider: tp, Propagator: propagation.TraceContext{},
		Extra: []grpc.DialOption{grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) })},
	})
	if err != nil {
		t.Fatal(err)
	}
	watcher := adapters.NewHealthWatcher(adapters.HealthWatcherConfig{Name: "v1", Conn: conn, Interval: 5 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(watcher.Close)
	registry := metrics.New()
	router, err := adapters.NewRouter(adapters.RouterConfig{
		Routes:  []adapters.Route{{Name: "v1", Client: recv1.NewRecommendationServiceClient(conn), Health: watcher}},
		Weights: app.Weights{"v1": 100}, Metrics: registry,
	})
	if err != nil {
		t.Fatal(err)
	}
	server, err := ports.NewServer(ports.ServerConfig{
		Recommender: router,
		Readiness:   router,
		Budget:      app.Budget{Max: time.Second, Margin: 50 * time.Millisecond},
		Tracer:      tp.Tracer("test"),
		Propagator:  propagation.TraceContext{},
		Metrics:     registry,
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
	return &harness{fake: f, health: healthServer, server: server, url: ts.URL, spans: spans, metrics: registry}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, a.body)
	}
	return v
}

func (h *harness) do(t *testing.T, method, path, body string, headers map[string]string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, h.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
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
	return answer{resp.StatusCode, resp.Header, data}
}

func auth(extra ...string) map[string]string {
	h := map[string]string{"Authorization": token}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// expectProblem checks the catalogs' envelope: problem+json, status repeated, code.
func expectProblem(t *testing.T, a answer, status int, code string) map[string]any {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	body := a.json(t)
	if body["code"] != code || body["status"] != float64(status) || body["title"] == "" || body["detail"] == "" {
		t.Errorf("envelope %v; want code %s, status %d, a title and a detail", body, code, status)
	}
	if body["type"] != "https://language-tracks.example/problems/"+strings.ReplaceAll(code, "_", "-") {
		t.Errorf("type %v does not match code %s", body["type"], code)
	}
	return body
}

func TestRecommendMapsTheDTOAndCarriesTheToken(t *testing.T) {
	f := &fake{recommend: func(_ context.Context, _ int, req *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
		return &recv1.RecommendResponse{ModelVersion: "v1", Recommendations: []*recv1.Recommendation{
			{ItemId: "es-1", Title: "Ser y estar", Score: 0.9, Reason: "because " + req.GetLanguage()},
		}}, nil
	}}
	h := newHarness(t, f)
	a := h.do(t, http.MethodGet, "/users/u1/recommendations?language=es&limit=5&exclude=a,b&exclude=c", "", auth())
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	// The fake answers like a v1 recommender (no tags, no difficulty): the v1.1 fields are [] and "".
	want := `{"recommendations":[{"item_id":"es-1","title":"Ser y estar","score":0.9,"reason":"because es","tags":[],"difficulty":""}],"model_version":"v1"}` + "\n"
	if string(a.body) != want {
		t.Errorf("body %s, want %s", a.body, want)
	}
	calls := f.seen()
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	req := calls[0].request.(*recv1.RecommendRequest)
	if req.GetUserId() != "u1" || req.GetLanguage() != "es" || req.GetLimit() != 5 || strings.Join(req.GetExcludeItemIds(), ",") != "a,b,c" {
		t.Errorf("request %v", req)
	}
	if got := calls[0].md.Get("authorization"); len(got) != 1 || got[0] != token {
		t.Errorf("authorization metadata %v, want [%s]", got, token)
	}
}

// TestDeadlineIsTheBudgetMinusTheMargin: the recommender sees a deadline, never more than
// the request budget minus the margin, and the client header can only shrink it.
func TestDeadlineIsTheBudgetMinusTheMargin(t *testing.T) {
	cases := []struct {
		name    string
		header  string
		ceiling time.Duration
	}{
		{"server budget", "", time.Second - 50*time.Millisecond},
		{"client asks for less", "300", 300*time.Millisecond - 50*time.Millisecond},
		{"client asks for more: capped", "60000", time.Second - 50*time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			h := newHarness(t, f)
			headers := auth()
			if tc.header != "" {
				headers[ports.TimeoutHeader] = tc.header
			}
			if a := h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", headers); a.status != http.StatusOK {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			c := f.seen()[0]
			if !c.hasDL || c.remaining <= 0 || c.remaining > tc.ceiling {
				t.Errorf("the recommender saw %v left (deadline %v); want in (0, %v]", c.remaining, c.hasDL, tc.ceiling)
			}
		})
	}
}

func TestSpentBudgetIs504WithoutACall(t *testing.T) {
	for _, header := range []string{"0", "10", "50"} {
		f := &fake{}
		h := newHarness(t, f)
		a := h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", auth(ports.TimeoutHeader, header))
		expectProblem(t, a, http.StatusGatewayTimeout, "deadline_exceeded")
		if n := len(f.seen()); n != 0 {
			t.Errorf("X-Request-Timeout-Ms %s: %d calls, want none", header, n)
		}
	}
}

func TestUpstreamDeadlineIs504(t *testing.T) {
	f := &fake{recommend: func(ctx context.Context, _ int, _ *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
		select {
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		case <-time.After(2 * time.Second): // a deadline that never came
			return &recv1.RecommendResponse{}, nil
		}
	}}
	h := newHarness(t, f)
	start := time.Now()
	a := h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", auth(ports.TimeoutHeader, "200"))
	expectProblem(t, a, http.StatusGatewayTimeout, "deadline_exceeded")
	if elapsed := time.Since(start); elapsed > 200*time.Millisecond+150*time.Millisecond {
		t.Errorf("answered after %v; the 200 ms budget should bound it", elapsed)
	}
}

func TestAuthorizationIsRequiredAtTheEdge(t *testing.T) {
	for _, value := range []string{"", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer"} {
		f := &fake{}
		h := newHarness(t, f)
		headers := map[string]string{}
		if value != "" {
			headers["Authorization"] = value
		}
		expectProblem(t, h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", headers), http.StatusUnauthorized, "unauthenticated")
		if n := len(f.seen()); n != 0 {
			t.Errorf("Authorization %q: %d calls, want none", value, n)
		}
	}
}

func TestUpstreamUnauthenticatedIs401(t *testing.T) {
	f := &fake{recommend: func(context.Context, int, *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
		return nil, status.Error(codes.Unauthenticated, "bad signature")
	}}
	h := newHarness(t, f)
	expectProblem(t, h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", auth()), http.StatusUnauthorized, "unauthenticated")
}

func TestRetries(t *testing.T) {
	t.Run("Recommend: UNAVAILABLE once, then OK: two attempts", func(t *testing.T) {
		f := &fake{recommend: func(_ context.Context, attempt int, _ *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
			if attempt == 1 {
				return nil, status.Error(codes.Unavailable, "warming up")
			}
			return &recv1.RecommendResponse{ModelVersion: "v1"}, nil
		}}
		h := newHarness(t, f)
		if a := h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", auth()); a.status != http.StatusOK {
			t.Fatalf("status %d: %s", a.status, a.body)
		}
		if n := len(f.seen()); n != 2 {
			t.Errorf("%d attempts, want 2", n)
		}
	})
	for _, code := range []codes.Code{codes.Internal, codes.InvalidArgument, codes.DeadlineExceeded, codes.ResourceExhausted} {
		t.Run("Recommend: "+code.String()+" is not retried", func(t *testing.T) {
			f := &fake{recommend: func(context.Context, int, *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
				return nil, status.Error(code, "no")
			}}
			h := newHarness(t, f)
			h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", auth())
			if n := len(f.seen()); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	}
	t.Run("RecordFeedback: the reply is lost once; the retry has one effect", func(t *testing.T) {
		var mu sync.Mutex
		effects := map[string]string{}
		f := &fake{feedback: func(ctx context.Context, attempt int, req *recv1.RecordFeedbackRequest) (*recv1.RecordFeedbackResponse, error) {
			md, _ := metadata.FromIncomingContext(ctx)
			if got := md.Get("idempotency-key"); len(got) != 1 || got[0] != req.GetIdempotencyKey() {
				return nil, status.Errorf(codes.InvalidArgument, "metadata key %v, field %q", got, req.GetIdempotencyKey())
			}
			mu.Lock()
			id, duplicate := effects[req.GetIdempotencyKey()]
			if !duplicate {
				id = "fb-1"
				effects[req.GetIdempotencyKey()] = id
			}
			mu.Unlock()
			if attempt == 1 {
				return nil, status.Error(codes.Unavailable, "connection reset after the write")
			}
			return &recv1.RecordFeedbackResponse{FeedbackId: id, Duplicate: duplicate}, nil
		}}
		h := newHarness(t, f)
		a := h.do(t, http.MethodPost, "/feedback", `{"user_id":"u1","item_id":"es-1","kind":"clicked"}`, auth("Idempotency-Key", "key-0001-abcd"))
		if a.status != http.StatusOK {
			t.Fatalf("status %d: %s", a.status, a.body)
		}
		if string(a.body) != `{"feedback_id":"fb-1","duplicate":true}`+"\n" {
			t.Errorf("body %s", a.body)
		}
		if n := len(f.seen()); n != 2 {
			t.Errorf("%d attempts, want 2", n)
		}
		if len(effects) != 1 {
			t.Errorf("%d effects, want 1", len(effects))
		}
	})
}

func TestTraceparentContinuesIntoTheRecommender(t *testing.T) {
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	f := &fake{}
	h := newHarness(t, f)
	a := h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", auth("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01"))
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	got := f.seen()[0].md.Get("traceparent")
	if len(got) != 1 || !strings.HasPrefix(got[0], "00-"+traceID+"-") || strings.Contains(got[0], "00f067aa0ba902b7") {
		t.Errorf("the recommender saw traceparent %v; want trace %s with the gateway's own span as parent", got, traceID)
	}
	spans := h.spans.GetSpans()
	kinds := map[trace.SpanKind]bool{}
	for _, s := range spans {
		if s.SpanContext.TraceID().String() != traceID {
			t.Errorf("span %q is in trace %s, want %s", s.Name, s.SpanContext.TraceID(), traceID)
		}
		kinds[s.SpanKind] = true
	}
	if !kinds[trace.SpanKindServer] || !kinds[trace.SpanKindClient] {
		t.Errorf("spans %v; want the HTTP server span and the gRPC client span", spans.Snapshots())
	}
}

func TestUpstreamErrorsUseTheEnvelope(t *testing.T) {
	f := &fake{recommend: func(context.Context, int, *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
		return nil, status.Error(codes.NotFound, "no user u9")
	}}
	h := newHarness(t, f)
	body := expectProblem(t, h.do(t, http.MethodGet, "/users/u9/recommendations?language=es", "", auth()), http.StatusNotFound, "not_found")
	if body["detail"] != "no user u9" {
		t.Errorf("detail %v", body["detail"])
	}
}

func TestQueryValidation(t *testing.T) {
	cases := []struct{ name, query, field string }{
		{"no language", "", "language"},
		{"bad language", "?language=Spanish!", "language"},
		{"limit zero", "?language=es&limit=0", "limit"},
		{"limit too big", "?language=es&limit=101", "limit"},
		{"limit not a number", "?language=es&limit=five", "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			h := newHarness(t, f)
			body := expectProblem(t, h.do(t, http.MethodGet, "/users/u1/recommendations"+tc.query, "", auth()), http.StatusBadRequest, "invalid_request")
			if !strings.Contains(string(mustJSON(t, body["errors"])), `"field":"`+tc.field+`"`) {
				t.Errorf("errors %v do not name %s", body["errors"], tc.field)
			}
			if len(f.seen()) != 0 {
				t.Error("an invalid request must not reach the recommender")
			}
		})
	}
	h := newHarness(t, &fake{})
	expectProblem(t, h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", auth(ports.TimeoutHeader, "soon")), http.StatusBadRequest, "invalid_request")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFeedbackValidation(t *testing.T) {
	const good = `{"user_id":"u1","item_id":"es-1","kind":"clicked"}`
	cases := []struct {
		name, body, key string
		fields          []string
	}{
		{"no idempotency key", good, "", []string{"Idempotency-Key"}},
		{"short idempotency key", good, "abc", []string{"Idempotency-Key"}},
		{"bad JSON", `{"user_id":`, "key-0001-abcd", []string{"body"}},
		{"not an object", `[1]`, "key-0001-abcd", []string{"body"}},
		{"empty body", ``, "key-0001-abcd", []string{"body"}},
		{"unknown field", `{"user_id":"u1","item_id":"es-1","kind":"clicked","extra":1}`, "key-0001-abcd", []string{"body"}},
		{"idempotency key in the body", `{"user_id":"u1","item_id":"es-1","kind":"clicked","idempotency_key":"k"}`, "key-0001-abcd", []string{"body"}},
		{"wrong type", `{"user_id":1,"item_id":"es-1","kind":"clicked"}`, "key-0001-abcd", []string{"body"}},
		{"trailing data", good + `{}`, "key-0001-abcd", []string{"body"}},
		{"missing fields", `{}`, "key-0001-abcd", []string{"user_id", "item_id", "kind"}},
		{"empty field", `{"user_id":" ","item_id":"es-1","kind":"clicked"}`, "key-0001-abcd", []string{"user_id"}},
		{"unknown kind", `{"user_id":"u1","item_id":"es-1","kind":"liked"}`, "key-0001-abcd", []string{"kind"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			h := newHarness(t, f)
			headers := auth()
			if tc.key != "" {
				headers["Idempotency-Key"] = tc.key
			}
			body := expectProblem(t, h.do(t, http.MethodPost, "/feedback", tc.body, headers), http.StatusBadRequest, "invalid_request")
			var errs []ports.FieldError
			if err := json.Unmarshal(mustJSON(t, body["errors"]), &errs); err != nil {
				t.Fatal(err)
			}
			var fields []string
			for _, e := range errs {
				fields = append(fields, e.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("errors name %v, want %v", fields, tc.fields)
			}
			if len(f.seen()) != 0 {
				t.Error("an invalid request must not reach the recommender")
			}
		})
	}
}

func TestRoutesAndHealth(t *testing.T) {
	f := &fake{}
	h := newHarness(t, f)
	if a := h.do(t, http.MethodGet, "/healthz", "", nil); a.status != http.StatusOK || string(a.body) != `{"status":"ok"}`+"\n" {
		t.Errorf("/healthz: %d %s", a.status, a.body)
	}
	expectProblem(t, h.do(t, http.MethodGet, "/nowhere", "", nil), http.StatusNotFound, "not_found")
	a := h.do(t, http.MethodGet, "/feedback", "", nil)
	expectProblem(t, a, http.StatusMethodNotAllowed, "method_not_allowed")
	if a.header.Get("Allow") != http.MethodPost {
		t.Errorf("Allow %q", a.header.Get("Allow"))
	}
}

func TestReadiness(t *testing.T) {
	f := &fake{}
	h := newHarness(t, f)
	// The watcher polls every 5 ms: each change shows within a few polls.
	readyz := func(want int) answer {
		t.Helper()
		var a answer
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if a = h.do(t, http.MethodGet, "/readyz", "", nil); a.status == want {
				break
			}
		}
		return a
	}
	if a := readyz(http.StatusOK); a.status != http.StatusOK || string(a.body) != `{"status":"ready"}`+"\n" {
		t.Errorf("/readyz with a SERVING upstream: %d %s", a.status, a.body)
	}
	h.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	expectProblem(t, readyz(http.StatusServiceUnavailable), http.StatusServiceUnavailable, "not_ready")
	h.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	if a := readyz(http.StatusOK); a.status != http.StatusOK {
		t.Errorf("/readyz after SERVING again: %d", a.status)
	}
	h.server.SetDraining()
	expectProblem(t, h.do(t, http.MethodGet, "/readyz", "", nil), http.StatusServiceUnavailable, "not_ready")
}

func items(n int) []*recv1.StreamRecommendationsResponse {
	out := make([]*recv1.StreamRecommendationsResponse, n)
	for i := range out {
		out[i] = &recv1.StreamRecommendationsResponse{Position: int32(i), Recommendation: &recv1.Recommendation{ItemId: "es-" + string(rune('a'+i)), Score: 1}} // #nosec G115 -- small test numbers
	}
	return out
}

// TestStreamFlushesEachItem: the fake sends one item and waits until the client has READ it
// before sending the next, so the test passes only if every line is flushed.
func TestStreamFlushesEachItem(t *testing.T) {
	read := make(chan struct{})
	f := &fake{stream: func(req *recv1.StreamRecommendationsRequest, srv grpc.ServerStreamingServer[recv1.StreamRecommendationsResponse]) error {
		if req.GetMaxItems() != 3 || req.GetLanguage() != "es" {
			return status.Errorf(codes.InvalidArgument, "request %v", req)
		}
		for _, item := range items(3) {
			if err := srv.Send(item); err != nil {
				return err
			}
			select {
			case <-read:
			case <-srv.Context().Done():
				return srv.Context().Err()
			}
		}
		return nil
	}}
	h := newHarness(t, f)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url+"/users/u1/recommendations/stream?language=es&limit=3", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != ports.NDJSON {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(resp.Body)
	for i := range 3 {
		if !lines.Scan() {
			t.Fatalf("line %d missing: %v", i, lines.Err())
		}
		var item app.StreamItemDTO
		if err := json.Unmarshal(lines.Bytes(), &item); err != nil || item.Position != int32(i) { // #nosec G115 -- small test numbers
			t.Fatalf("line %d = %s (%v)", i, lines.Bytes(), err)
		}
		select {
		case read <- struct{}{}:
		case <-time.After(2 * time.Second):
			t.Fatalf("the recommender stopped waiting after line %d", i)
		}
	}
	if lines.Scan() {
		t.Errorf("unexpected line %s", lines.Bytes())
	}
}

// TestClientDisconnectCancelsTheStream: a client that goes away mid-stream cancels the gRPC
// stream, so the recommender's producer stops (and goleak sees no goroutine left).
func TestClientDisconnectCancelsTheStream(t *testing.T) {
	cancelled := make(chan struct{})
	f := &fake{stream: func(_ *recv1.StreamRecommendationsRequest, srv grpc.ServerStreamingServer[recv1.StreamRecommendationsResponse]) error {
		defer close(cancelled)
		ticker := time.NewTicker(5 * time.Millisecond)
		defer ticker.Stop()
		for i := 0; ; i++ {
			if err := srv.Send(&recv1.StreamRecommendationsResponse{Position: int32(i), Recommendation: &recv1.Recommendation{ItemId: "x"}}); err != nil { // #nosec G115 -- a test counter
				return err
			}
			select {
			case <-ticker.C:
			case <-srv.Context().Done():
				return srv.Context().Err()
			}
		}
	}}
	h := newHarness(t, f)
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url+"/users/u1/recommendations/stream?language=es", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if !bufio.NewScanner(resp.Body).Scan() {
		t.Fatal("no first line")
	}
	cancel()
	_ = resp.Body.Close()
	select {
	case <-cancelled:
	case <-time.After(500 * time.Millisecond): // well before the 950 ms deadline would end it
		t.Fatal("the recommender's stream was not cancelled within 500 ms of the client leaving")
	}
}

func TestStreamErrors(t *testing.T) {
	t.Run("before the first item: a normal problem response", func(t *testing.T) {
		f := &fake{stream: func(*recv1.StreamRecommendationsRequest, grpc.ServerStreamingServer[recv1.StreamRecommendationsResponse]) error {
			return status.Error(codes.PermissionDenied, "not your list")
		}}
		h := newHarness(t, f)
		expectProblem(t, h.do(t, http.MethodGet, "/users/u1/recommendations/stream?language=es", "", auth()), http.StatusForbidden, "permission_denied")
	})
	t.Run("mid-stream: the envelope is the last line", func(t *testing.T) {
		f := &fake{stream: func(_ *recv1.StreamRecommendationsRequest, srv grpc.ServerStreamingServer[recv1.StreamRecommendationsResponse]) error {
			if err := srv.Send(items(1)[0]); err != nil {
				return err
			}
			return status.Error(codes.Unavailable, "model reloading")
		}}
		h := newHarness(t, f)
		a := h.do(t, http.MethodGet, "/users/u1/recommendations/stream?language=es", "", auth())
		lines := strings.Split(strings.TrimSpace(string(a.body)), "\n")
		if a.status != http.StatusOK || len(lines) != 2 {
			t.Fatalf("status %d, lines %q", a.status, lines)
		}
		var last struct {
			Error map[string]any `json:"error"`
		}
		if err := json.Unmarshal([]byte(lines[1]), &last); err != nil || last.Error["code"] != "unavailable" || last.Error["status"] != float64(http.StatusServiceUnavailable) {
			t.Errorf("last line %s (%v)", lines[1], err)
		}
	})
	t.Run("an empty stream is 200 with no lines", func(t *testing.T) {
		f := &fake{stream: func(*recv1.StreamRecommendationsRequest, grpc.ServerStreamingServer[recv1.StreamRecommendationsResponse]) error {
			return nil
		}}
		h := newHarness(t, f)
		if a := h.do(t, http.MethodGet, "/users/u1/recommendations/stream?language=es", "", auth()); a.status != http.StatusOK || len(a.body) != 0 {
			t.Errorf("status %d, body %q", a.status, a.body)
		}
	})
}
