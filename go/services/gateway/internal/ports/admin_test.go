package ports_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/app"
	"languagetracks.example/go/services/gateway/internal/ports"
)

// memoryTable is a WeightTable fake with the router's validation.
type memoryTable struct {
	mu      sync.Mutex
	weights app.Weights
	changes []string
}

func (m *memoryTable) Weights() app.Weights {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.weights
}

func (m *memoryTable) SetWeights(w app.Weights, who string) (app.Weights, error) {
	valid, err := app.ValidateWeights(w, []string{"v1", "v2"})
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.weights = valid
	m.changes = append(m.changes, who+":"+valid.String([]string{"v1", "v2"}))
	return valid, nil
}

// noClient fails every call: the admin and metrics tests never reach the recommender.
type noClient struct {
	recv1.RecommendationServiceClient
}

func (noClient) Recommend(context.Context, *recv1.RecommendRequest, ...grpc.CallOption) (*recv1.RecommendResponse, error) {
	return &recv1.RecommendResponse{ModelVersion: "stub"}, nil
}

func adminServer(t *testing.T, token string, table *memoryTable) *harness {
	t.Helper()
	server, err := ports.NewServer(ports.ServerConfig{Recommender: noClient{}, Admin: ports.AdminConfig{Token: token, Weights: table}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server)
	t.Cleanup(ts.Close)
	return &harness{server: server, url: ts.URL}
}

func TestAdminWeights(t *testing.T) {
	const admin = "Bearer s3cret-admin"
	for _, tc := range []struct {
		name       string
		method     string
		auth       string
		body       string
		status     int
		code       string // problem code, or "" for a 200
		wantBody   string
		wantChange string
	}{
		{name: "get", method: "GET", auth: admin, status: 200, wantBody: `{"weights":{"v1":100,"v2":0}}`},
		{name: "put", method: "PUT", auth: admin, body: `{"weights":{"v1":95,"v2":5}}`, status: 200, wantBody: `{"weights":{"v1":95,"v2":5}}`, wantChange: "admin:v1=95,v2=5"},
		{name: "put, an omitted name is 0", method: "PUT", auth: admin, body: `{"weights":{"v2":100}}`, status: 200, wantBody: `{"weights":{"v1":0,"v2":100}}`},
		{name: "bearer scheme any case", method: "GET", auth: "bearer s3cret-admin", status: 200},
		{name: "no authorization", method: "GET", status: 401, code: "unauthenticated"},
		{name: "wrong token", method: "PUT", auth: "Bearer nope", body: `{"weights":{"v1":0,"v2":100}}`, status: 401, code: "unauthenticated"},
		{name: "basic scheme", method: "GET", auth: "Basic s3cret-admin", status: 401, code: "unauthenticated"},
		{name: "token prefix", method: "GET", auth: "Bearer s3cret", status: 401, code: "unauthenticated"},
		{name: "sum 99", method: "PUT", auth: admin, body: `{"weights":{"v1":94,"v2":5}}`, status: 400, code: "invalid_request", wantBody: "add up to 99"},
		{name: "sum 101", method: "PUT", auth: admin, body: `{"weights":{"v1":96,"v2":5}}`, status: 400, code: "invalid_request"},
		{name: "unknown upstream", method: "PUT", auth: admin, body: `{"weights":{"v1":95,"v3":5}}`, status: 400, code: "invalid_request", wantBody: `unknown upstream \"v3\"`},
		{name: "negative", method: "PUT", auth: admin, body: `{"weights":{"v1":105,"v2":-5}}`, status: 400, code: "invalid_request", wantBody: "from 0 to 100"},
		{name: "not an integer", method: "PUT", auth: admin, body: `{"weights":{"v1":95.5,"v2":4.5}}`, status: 400, code: "invalid_request", wantBody: "whole numbers"},
		{name: "a string", method: "PUT", auth: admin, body: `{"weights":{"v1":"95","v2":5}}`, status: 400, code: "invalid_request"},
		{name: "unknown field", method: "PUT", auth: admin, body: `{"weights":{"v1":100},"force":true}`, status: 400, code: "invalid_request", wantBody: "unknown field"},
		{name: "bad JSON", method: "PUT", auth: admin, body: `{"weights":`, status: 400, code: "invalid_request", wantBody: "not valid JSON"},
		{name: "empty body", method: "PUT", auth: admin, status: 400, code: "invalid_request"},
		{name: "no weights", method: "PUT", auth: admin, body: `{}`, status: 400, code: "invalid_request", wantBody: "is required"},
		{name: "trailing data", method: "PUT", auth: admin, body: `{"weights":{"v1":100}} {}`, status: 400, code: "invalid_request"},
		{name: "post", method: "POST", auth: admin, body: `{}`, status: 405, code: "method_not_allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table := &memoryTable{weights: app.Weights{"v1": 100, "v2": 0}}
			h := adminServer(t, "s3cret-admin", table)
			headers := map[string]string{}
			if tc.auth != "" {
				headers["Authorization"] = tc.auth
			}
			a := h.do(t, tc.method, "/admin/weights", tc.body, headers)
			if tc.code != "" {
				expectProblem(t, a, tc.status, tc.code)
			} else if a.status != tc.status || a.header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d (%s), want %d: %s", a.status, a.header.Get("Content-Type"), tc.status, a.body)
			}
			if tc.wantBody != "" && !strings.Contains(string(a.body), tc.wantBody) {
				t.Errorf("body %s lacks %s", a.body, tc.wantBody)
			}
			if tc.status == 401 && a.header.Get("WWW-Authenticate") == "" {
				t.Error("a 401 without WWW-Authenticate")
			}
			if tc.status == 405 && a.header.Get("Allow") != "GET, PUT" {
				t.Errorf("Allow %q", a.header.Get("Allow"))
			}
			if tc.status != 200 || tc.method != "PUT" {
				if len(table.changes) != 0 || table.weights["v1"] != 100 {
					t.Errorf("a refused or read-only call changed the table: %v", table.changes)
				}
			}
			if tc.wantChange != "" && (len(table.changes) != 1 || table.changes[0] != tc.wantChange) {
				t.Errorf("changes %v, want [%s]", table.changes, tc.wantChange)
			}
		})
	}
}

func TestAdminRoutesDoNotExistWithoutAToken(t *testing.T) {
	h := adminServer(t, "", &memoryTable{})
	for _, method := range []string{"GET", "PUT"} {
		expectProblem(t, h.do(t, method, "/admin/weights", `{"weights":{"v1":100}}`, map[string]string{"Authorization": "Bearer "}), 404, "not_found")
	}
	if _, err := ports.NewServer(ports.ServerConfig{Recommender: noClient{}, Admin: ports.AdminConfig{Token: "x"}}); err == nil {
		t.Error("a token without a table must be a wiring error")
	}
}

// TestRequestMetrics: every request but /metrics lands in gateway_request_duration_seconds
// under its route template and status string.
func TestRequestMetrics(t *testing.T) {
	h := newHarness(t, &fake{})
	h.do(t, "GET", "/users/u-42/recommendations?language=es", "", auth())
	h.do(t, "GET", "/users/u-43/recommendations?language=es", "", auth())
	h.do(t, "GET", "/users/u-42/recommendations?language=es", "", nil)
	h.do(t, "GET", "/users/u-42/recommendations/stream?language=", "", auth())
	h.do(t, "GET", "/nowhere/u-42", "", nil)
	h.do(t, "DELETE", "/feedback", "", nil)
	h.do(t, "GET", "/healthz", "", nil)
	h.do(t, "GET", "/metrics", "", nil)
	a := h.do(t, "GET", "/metrics", "", nil)
	if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", a.status, a.header.Get("Content-Type"))
	}
	text := string(a.body)
	for _, want := range []string{
		`gateway_request_duration_seconds_count{method="GET",route="/users/{id}/recommendations",status="200"} 2`,
		`gateway_request_duration_seconds_count{method="GET",route="/users/{id}/recommendations",status="401"} 1`,
		`gateway_request_duration_seconds_count{method="GET",route="/users/{id}/recommendations/stream",status="400"} 1`,
		`gateway_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`gateway_request_duration_seconds_count{method="DELETE",route="/feedback",status="405"} 1`,
		`gateway_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1`,
		`gateway_request_duration_seconds_bucket{method="GET",route="/users/{id}/recommendations",status="200",le="0.8"} 2`,
		`gateway_upstream_requests_total{code="OK",upstream="v1"} 2`,
		`gateway_upstream_weight{upstream="v1"} 100`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(text, `route="/metrics"`) || strings.Contains(text, "u-42") {
		t.Errorf("/metrics observed, or a raw path as a label:\n%s", text)
	}
}

func TestMaxDifficulty(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  *recv1.Difficulty // nil: absent on the wire
		field bool              // a 400 naming max_difficulty
	}{
		{query: "", want: nil},
		{query: "&max_difficulty=beginner", want: recv1.Difficulty_DIFFICULTY_BEGINNER.Enum()},
		{query: "&max_difficulty=intermediate", want: recv1.Difficulty_DIFFICULTY_INTERMEDIATE.Enum()},
		{query: "&max_difficulty=advanced", want: recv1.Difficulty_DIFFICULTY_ADVANCED.Enum()},
		{query: "&max_difficulty=expert", field: true},
		{query: "&max_difficulty=", field: true},
		{query: "&max_difficulty=unspecified", field: true},
		{query: "&max_difficulty=ADVANCED", field: true},
		{query: "&max_difficulty=beginner&max_difficulty=advanced", field: true},
	} {
		t.Run(tc.query, func(t *testing.T) {
			f := &fake{}
			h := newHarness(t, f)
			a := h.do(t, "GET", "/users/u1/recommendations?language=es"+tc.query, "", auth())
			if tc.field {
				body := expectProblem(t, a, 400, "invalid_request")
				if !strings.Contains(string(mustJSON(t, body["errors"])), `"field":"max_difficulty"`) {
					t.Errorf("errors %v do not name max_difficulty", body["errors"])
				}
				if len(f.seen()) != 0 {
					t.Error("a bad max_difficulty reached the recommender")
				}
				return
			}
			if a.status != 200 {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			calls := f.seen()
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			got := calls[0].request.(*recv1.RecommendRequest).MaxDifficulty
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("max_difficulty %v, want %v", got, tc.want)
			}
		})
	}
}
