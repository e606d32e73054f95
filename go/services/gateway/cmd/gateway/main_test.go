package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		vars map[string]string
	}{
		{nil, map[string]string{}},
		{[]string{"--bogus"}, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "127.0.0.1:1"}},
		{nil, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "127.0.0.1:1", "GATEWAY_REQUEST_BUDGET_MS": "soon"}},
		{nil, map[string]string{"GATEWAY_RECOMMENDERS": "127.0.0.1:5001"}},
		{nil, map[string]string{"GATEWAY_RECOMMENDERS": "v1=127.0.0.1:5001,v1=127.0.0.1:5002"}},
		{nil, map[string]string{"GATEWAY_RECOMMENDERS": "v1=127.0.0.1:5001,=127.0.0.1:5002"}},
		{nil, map[string]string{"GATEWAY_RECOMMENDERS": "v1=127.0.0.1:5001,v2=127.0.0.1:5002", "GATEWAY_WEIGHTS": "v1=90,v2=5"}},
		{nil, map[string]string{"GATEWAY_RECOMMENDERS": "v1=127.0.0.1:5001,v2=127.0.0.1:5002", "GATEWAY_WEIGHTS": "v1=95,v3=5"}},
		{nil, map[string]string{"GATEWAY_RECOMMENDERS": "v1=127.0.0.1:5001,v2=127.0.0.1:5002", "GATEWAY_WEIGHTS": "v1=95.5,v2=4.5"}},
		{nil, map[string]string{"GATEWAY_RECOMMENDER_ADDR": "127.0.0.1:1", "GATEWAY_WEIGHTS": "v1=100"}},
	} {
		var stderr strings.Builder
		if code := run(t.Context(), tc.args, env(tc.vars), &stderr); code != exitUsage {
			t.Errorf("%v %v: exit %d, want %d", tc.args, tc.vars, code, exitUsage)
		}
		if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n"); lines != 0 || !strings.HasPrefix(stderr.String(), "gateway: ") {
			t.Errorf("stderr %q, want one 'gateway: ...' line", stderr.String())
		}
	}
}

type echo struct {
	recv1.UnimplementedRecommendationServiceServer
}

func (echo) Recommend(_ context.Context, req *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
	return &recv1.RecommendResponse{ModelVersion: "echo-" + req.GetLanguage()}, nil
}

// TestRunServesAndStops starts the real binary's run against a gRPC server on a free port,
// calls it over HTTP, then cancels (as SIGTERM does): exit 0.
func TestRunServesAndStops(t *testing.T) {
	lis, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	grpcServer := grpc.NewServer()
	recv1.RegisterRecommendationServiceServer(grpcServer, echo{})
	healthpb.RegisterHealthServer(grpcServer, health.NewServer())
	go func() { _ = grpcServer.Serve(lis) }()
	defer grpcServer.Stop()

	logR, logW := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"--port", "0"}, env(map[string]string{"GATEWAY_RECOMMENDER_ADDR": "http://" + lis.Addr().String()}), logW)
		_ = logW.Close()
	}()
	lines := bufio.NewScanner(logR)
	var base string
	for lines.Scan() {
		if _, addr, ok := strings.Cut(lines.Text(), "gateway listening on "); ok {
			base, _, _ = strings.Cut(addr, `"`)
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, logR) }()
	if base == "" {
		t.Fatal("no 'listening' log line")
	}
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string, auth bool) (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+devToken(t))
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// Ready once the upstream's health watcher has had its first SERVING answer.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		code, body := get("/readyz", false)
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz %d %s", code, body)
		}
	}
	if code, body := get("/users/u1/recommendations?language=es", true); code != http.StatusOK || !strings.Contains(body, `"model_version":"echo-es"`) {
		t.Errorf("recommend %d %s", code, body)
	}
	// The listener is wrapped: a path net/http cannot parse is refused with the envelope.
	conn, err := new(net.Dialer).DialContext(t.Context(), "tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(conn, "GET /users/%zz/recommendations HTTP/1.1\r\nHost: gw\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	refusal, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	_ = conn.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(refusal), `"code":"bad_request"`) {
		t.Errorf("%%zz: %d %q %s; want a 400 bad_request problem", resp.StatusCode, resp.Header.Get("Content-Type"), refusal)
	}
	client.CloseIdleConnections()
	stopRun(t, cancel, exited)
}

type namedEcho struct {
	recv1.UnimplementedRecommendationServiceServer
	name string
}

func (n namedEcho) Recommend(context.Context, *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
	return &recv1.RecommendResponse{ModelVersion: n.name}, nil
}

// TestRunRoutesByWeightWithAdmin runs the binary's run with two named upstreams, v2 at weight
// 0 (no traffic), then moves all traffic to v2 through the admin API: the answers, /metrics
// and the change's log line follow.
func TestRunRoutesByWeightWithAdmin(t *testing.T) {
	listen := func(name string) string {
		lis, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		grpcServer := grpc.NewServer()
		recv1.RegisterRecommendationServiceServer(grpcServer, namedEcho{name: name})
		healthpb.RegisterHealthServer(grpcServer, health.NewServer())
		go func() { _ = grpcServer.Serve(lis) }()
		t.Cleanup(grpcServer.Stop)
		return lis.Addr().String()
	}
	v1, v2 := listen("v1"), listen("v2")
	logR, logW := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	exited := make(chan int, 1)
	vars := map[string]string{"GATEWAY_RECOMMENDERS": "v1=" + v1 + ",v2=" + v2, "GATEWAY_WEIGHTS": "v1=100,v2=0", "GATEWAY_ADMIN_TOKEN": "adm", "GATEWAY_HEALTH_INTERVAL_MS": "10"}
	go func() {
		exited <- run(ctx, []string{"--port", "0"}, env(vars), logW)
		_ = logW.Close()
	}()
	lines := bufio.NewScanner(logR)
	var base string
	for lines.Scan() {
		if _, addr, ok := strings.Cut(lines.Text(), "gateway listening on "); ok {
			base, _, _ = strings.Cut(addr, `"`)
			break
		}
	}
	logs := make(chan string, 1)
	go func() {
		var all strings.Builder
		for lines.Scan() {
			all.WriteString(lines.Text() + "\n")
		}
		logs <- all.String()
	}()
	client := &http.Client{Timeout: 5 * time.Second}
	do := func(method, path, auth, body string) (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	recommendFrom := func(want string) {
		t.Helper()
		for range 20 {
			if code, body := do("GET", "/users/u1/recommendations?language=es", "Bearer "+devToken(t), ""); code != 200 || !strings.Contains(body, `"model_version":"`+want+`"`) {
				t.Fatalf("recommend %d %s, want model %s", code, body, want)
			}
		}
	}
	recommendFrom("v1")
	if code, body := do("PUT", "/admin/weights", "Bearer wrong", `{"weights":{"v2":100}}`); code != 401 {
		t.Errorf("wrong admin token: %d %s", code, body)
	}
	if code, body := do("PUT", "/admin/weights", "Bearer adm", `{"weights":{"v1":0,"v2":100}}`); code != 200 || strings.TrimSpace(body) != `{"weights":{"v1":0,"v2":100}}` {
		t.Fatalf("PUT weights %d %s", code, body)
	}
	recommendFrom("v2")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		code, body := do("GET", "/readyz", "", "")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz %d %s", code, body)
		}
	}
	if code, body := do("GET", "/metrics", "", ""); code != 200 || !strings.Contains(body, `gateway_upstream_requests_total{code="OK",upstream="v2"} 20`) || !strings.Contains(body, `gateway_upstream_weight{upstream="v1"} 0`) {
		t.Errorf("/metrics %d %s", code, body)
	}
	client.CloseIdleConnections()
	stopRun(t, cancel, exited)
	if all := <-logs; !strings.Contains(all, `"msg":"upstream weights changed","from":"v1=100,v2=0","to":"v1=0,v2=100","by":"admin"`) {
		t.Errorf("the change is not logged:\n%s", all)
	}
}

// stopRun cancels run's context (what SIGTERM does in main) and wants it to return exit 0.
func stopRun(t *testing.T, cancel context.CancelFunc, exited <-chan int) {
	t.Helper()
	cancel()
	select {
	case code := <-exited:
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

// devToken is a token the gateway's default (dev) settings accept: the edge verifies it before
// the call, as the recommender does after.
func devToken(t *testing.T) string {
	t.Helper()
	now := time.Now()
	claims := jwt.MapClaims{"sub": "u1", "iss": "language-tracks-dev", "aud": "recommender", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("language-tracks-dev-secret-not-for-production")) // gitleaks:allow (the documented dev key)
	if err != nil {
		t.Fatal(err)
	}
	return token
}
