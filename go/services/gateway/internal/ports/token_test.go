package ports

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
)

var testTokens = TokenSettings{Secret: []byte("a-test-secret-that-is-long-enough-0123"), Issuer: "language-tracks-dev", Audience: "recommender"} // gitleaks:allow (a test key)

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func goodClaims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"sub": "u-1", "iss": testTokens.Issuer, "aud": testTokens.Audience, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
}

func with(claims jwt.MapClaims, key string, value any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range claims {
		out[k] = v
	}
	if value == nil {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}

func TestTheEdgeVerifiesTokensAsTheRecommenderDoes(t *testing.T) {
	v := NewTokenVerifier(testTokens)
	if err := v.Verify(sign(t, jwt.SigningMethodHS256, testTokens.Secret, goodClaims())); err != nil {
		t.Fatalf("a good token: %v", err)
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, goodClaims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, token, code string
	}{
		{"another secret", sign(t, jwt.SigningMethodHS256, []byte("an-attacker-secret-that-is-long-enough-1234"), goodClaims()), "token_invalid"}, // gitleaks:allow
		{"alg none", none, "token_invalid"},
		{"HS512", sign(t, jwt.SigningMethodHS512, testTokens.Secret, goodClaims()), "token_invalid"},
		{"another issuer", sign(t, jwt.SigningMethodHS256, testTokens.Secret, with(goodClaims(), "iss", "evil")), "token_invalid"},
		{"another audience", sign(t, jwt.SigningMethodHS256, testTokens.Secret, with(goodClaims(), "aud", "billing")), "token_invalid"},
		{"no expiry", sign(t, jwt.SigningMethodHS256, testTokens.Secret, with(goodClaims(), "exp", nil)), "token_invalid"},
		{"no subject", sign(t, jwt.SigningMethodHS256, testTokens.Secret, with(goodClaims(), "sub", nil)), "token_invalid"},
		{"expired", sign(t, jwt.SigningMethodHS256, testTokens.Secret, with(goodClaims(), "exp", time.Now().Add(-time.Minute).Unix())), "token_expired"},
		{"not a JWT", "not-a-token", "token_invalid"},
	} {
		err := v.Verify(tc.token)
		var edge *edgeError
		if !errors.As(err, &edge) || edge.problem.code != tc.code || edge.problem.status != http.StatusUnauthorized {
			t.Errorf("%s: %v, want a 401 %s", tc.name, err, tc.code)
		}
	}
}

type countingClient struct {
	recv1.RecommendationServiceClient
	calls atomic.Int32
}

func (c *countingClient) Recommend(context.Context, *recv1.RecommendRequest, ...grpc.CallOption) (*recv1.RecommendResponse, error) {
	c.calls.Add(1)
	return &recv1.RecommendResponse{ModelVersion: "fake"}, nil
}

// A forged token with a tiny budget is a 401, not a 504: only a valid token can turn the
// gateway's error budget (5xx) on. A valid one with the same budget is the 504.
func TestAuthenticationComesBeforeTheBudget(t *testing.T) {
	client := &countingClient{}
	server, err := NewServer(ServerConfig{Recommender: client, Tokens: NewTokenVerifier(testTokens)})
	if err != nil {
		t.Fatal(err)
	}
	ask := func(token, timeout string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, "/users/u-1/recommendations?language=es", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if timeout != "" {
			req.Header.Set(TimeoutHeader, timeout)
		}
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, req)
		var body problemBody
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, body.Code
	}
	if code, problem := ask("anything-at-all", "10"); code != http.StatusUnauthorized || problem != "token_invalid" {
		t.Errorf("a forged token with 10 ms: %d %s, want 401 token_invalid", code, problem)
	}
	good := sign(t, jwt.SigningMethodHS256, testTokens.Secret, goodClaims())
	if code, problem := ask(good, "10"); code != http.StatusGatewayTimeout || problem != "deadline_exceeded" {
		t.Errorf("a valid token with 10 ms: %d %s, want 504 deadline_exceeded", code, problem)
	}
	if code, _ := ask(good, ""); code != http.StatusOK {
		t.Errorf("a valid token: %d, want 200", code)
	}
	if n := client.calls.Load(); n != 1 {
		t.Errorf("%d calls reached the recommender, want 1 (only the valid token with time left)", n)
	}
}
