package adapters

import (
	"context"
	"encoding/json"
	"net"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/test/bufconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// countingHealth answers the configured status and counts the checks.
type countingHealth struct {
	healthpb.UnimplementedHealthServer
	status atomic.Int32
	checks atomic.Int32
}

func (h *countingHealth) Check(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	h.checks.Add(1)
	return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_ServingStatus(h.status.Load())}, nil
}

func dialFake(t *testing.T, register func(*grpc.Server)) *grpc.ClientConn {
	t.Helper()
	lis := bufconn.Listen(1 << 16)
	server := grpc.NewServer()
	register(server)
	go func() { _ = server.Serve(lis) }()
	conn, err := Dial(DialConfig{Target: "grpc://bufnet", Extra: []grpc.DialOption{
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		server.Stop()
	})
	return conn
}

// TestServiceConfigRetriesOnlyUnavailable pins the retry policy's shape.
func TestServiceConfigRetriesOnlyUnavailable(t *testing.T) {
	var cfg struct {
		MethodConfig []struct {
			Name []struct {
				Service string `json:"service"`
				Method  string `json:"method"`
			} `json:"name"`
			RetryPolicy struct {
				MaxAttempts          int      `json:"maxAttempts"`
				RetryableStatusCodes []string `json:"retryableStatusCodes"`
			} `json:"retryPolicy"`
		} `json:"methodConfig"`
	}
	if err := json.Unmarshal([]byte(ServiceConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.MethodConfig) != 1 {
		t.Fatalf("%d method configs", len(cfg.MethodConfig))
	}
	mc := cfg.MethodConfig[0]
	var methods []string
	for _, n := range mc.Name {
		if n.Service != ServiceName {
			t.Errorf("service %q", n.Service)
		}
		methods = append(methods, n.Method)
	}
	if len(methods) != 2 || methods[0] != "Recommend" || methods[1] != "RecordFeedback" {
		t.Errorf("retried methods %v; StreamRecommendations must not be", methods)
	}
	if codes := mc.RetryPolicy.RetryableStatusCodes; len(codes) != 1 || codes[0] != "UNAVAILABLE" {
		t.Errorf("retryable codes %v, want [UNAVAILABLE]", codes)
	}
	if mc.RetryPolicy.MaxAttempts < 2 || mc.RetryPolicy.MaxAttempts > 5 {
		t.Errorf("maxAttempts %d", mc.RetryPolicy.MaxAttempts)
	}
}
