package ports

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func postKeyed(t *testing.T, h http.Handler, body string, keys ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/products", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, key := range keys {
		req.Header.Add("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func problemCode(t *testing.T, rec *httptest.ResponseRecorder) (string, []FieldError) {
	t.Helper()
	var problem problemBody
	if err := json.Unmarshal(rec.Body.Bytes(), &problem); err != nil {
		t.Fatalf("problem body %q: %v", rec.Body.String(), err)
	}
	return problem.Code, problem.Errors
}

const mugBody = `{"sku":"MUG-1","name":"Mug","price":{"amount_minor":1250,"currency":"EUR"}}`

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	server := newTestServer(t)
	first := postKeyed(t, server, mugBody, "retry-key-0001")
	// The same request, serialized differently: the fingerprint is of the parsed request.
	reordered := `{ "price": {"currency":"EUR","amount_minor":1250}, "name":"Mug", "sku":"MUG-1" }`
	again := postKeyed(t, server, reordered, "retry-key-0001")
	if first.Code != http.StatusCreated || again.Code != first.Code {
		t.Fatalf("statuses %d then %d, want 201 twice", first.Code, again.Code)
	}
	if again.Body.String() != first.Body.String() || again.Header().Get("Location") != first.Header().Get("Location") {
		t.Errorf("replay %q at %q, want %q at %q", again.Body, again.Header().Get("Location"), first.Body, first.Header().Get("Location"))
	}
	if got := do(t, server, http.MethodGet, "/products", "").Body.String(); strings.Count(got, `"sku"`) != 1 {
		t.Errorf("GET /products = %s, want one product", got)
	}
}

func TestIdempotencyKeyWithAnotherBodyIsAConflict(t *testing.T) {
	server := newTestServer(t)
	postKeyed(t, server, mugBody, "retry-key-0002")
	rec := postKeyed(t, server, strings.Replace(mugBody, "1250", "1300", 1), "retry-key-0002")
	if code, _ := problemCode(t, rec); rec.Code != http.StatusConflict || code != "idempotency_conflict" {
		t.Fatalf("same key, other body: %d %s, want 409 idempotency_conflict", rec.Code, rec.Body)
	}
}

func TestMalformedIdempotencyKeyIs422(t *testing.T) {
	server := newTestServer(t)
	cases := map[string][]string{
		"empty":          {""},
		"too short":      {"short"},
		"too long":       {strings.Repeat("k", 129)},
		"a space":        {"retry key 01"},
		"non-printable":  {"retry-key-\x01"},
		"non-ASCII":      {"clé-de-retry"},
		"sent twice":     {"retry-key-0003", "retry-key-0004"},
		"a slash (path)": {"retry/key/0005"},
	}
	for name, keys := range cases {
		t.Run(name, func(t *testing.T) {
			rec := postKeyed(t, server, mugBody, keys...)
			code, fields := problemCode(t, rec)
			if rec.Code != http.StatusUnprocessableEntity || code != "validation_failed" || len(fields) != 1 || fields[0].Field != "Idempotency-Key" {
				t.Fatalf("%d %s, want 422 validation_failed naming Idempotency-Key", rec.Code, rec.Body)
			}
		})
	}
	if rec := postKeyed(t, server, mugBody, strings.Repeat("k", 128)); rec.Code != http.StatusCreated {
		t.Errorf("a 128-character key: %d %s, want 201", rec.Code, rec.Body)
	}
}

func TestInvalidBodyWithAKeyIsNotStored(t *testing.T) {
	server := newTestServer(t)
	bad := postKeyed(t, server, strings.Replace(mugBody, `"EUR"`, `"euro"`, 1), "retry-key-0006")
	if bad.Code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid body: %d, want 422", bad.Code)
	}
	if fixed := postKeyed(t, server, mugBody, "retry-key-0006"); fixed.Code != http.StatusCreated {
		t.Fatalf("corrected retry with the same key: %d %s, want 201", fixed.Code, fixed.Body)
	}
}
