package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
)

func TestCodeNamesAreTheUpperCaseSpecNames(t *testing.T) {
	for code, want := range map[codes.Code]string{
		codes.OK: "OK", codes.Canceled: "CANCELLED", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
		codes.Unavailable: "UNAVAILABLE", codes.DataLoss: "DATA_LOSS", codes.Code(99): "UNKNOWN",
	} {
		if got := CodeName(code); got != want {
			t.Errorf("CodeName(%v) = %q, want %q", code, got, want)
		}
	}
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		if _, ok := codeNames[c]; !ok {
			t.Errorf("no name for %v", c)
		}
	}
}

// TestExposition pins the metric contract (tooling/rollout/README.md): names, labels, and the
// 0.8 bucket edge the gateway's latency SLO reads.
func TestExposition(t *testing.T) {
	m := New()
	m.ObserveRequest("GET", "/users/{id}/recommendations", 200, 700*time.Millisecond)
	m.ObserveRequest("GET", "/users/{id}/recommendations", 504, 900*time.Millisecond)
	m.ObserveUpstream("v2", codes.Internal, 10*time.Millisecond)
	m.SetWeight("v2", 5)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{
		`gateway_request_duration_seconds_bucket{method="GET",route="/users/{id}/recommendations",status="200",le="0.8"} 1`,
		`gateway_request_duration_seconds_bucket{method="GET",route="/users/{id}/recommendations",status="504",le="0.8"} 0`,
		`gateway_request_duration_seconds_bucket{method="GET",route="/users/{id}/recommendations",status="200",le="0.25"} 0`,
		`gateway_upstream_requests_total{code="INTERNAL",upstream="v2"} 1`,
		`gateway_upstream_duration_seconds_count{code="INTERNAL",upstream="v2"} 1`,
		`gateway_upstream_weight{upstream="v2"} 5`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %s", want)
		}
	}
}
