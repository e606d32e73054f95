package ports

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The contract's odd bodies: each is one 422 error about the field the Python twin names too.
func TestDecodeRejectsOddBodies(t *testing.T) {
	valid := `{"sku": "ABC", "name": "x", "price": {"amount_minor": 1, "currency": "EUR"}}`
	tests := []struct {
		name, contentType, body, field, message string
	}{
		{"no Content-Type", "", valid, "body", "must be sent as application/json"},
		{"a byte order mark", "application/json", "\xef\xbb\xbf" + valid, "body", "must not start with a byte order mark"},
		{"invalid UTF-8", "application/json", `{"sku": "ABC", "name": "` + "\xff" + `", "price": {"amount_minor": 1, "currency": "EUR"}}`, "body", "must be UTF-8"},
		{"10,000 [", "application/json", strings.Repeat("[", 10000), "body", "Invalid JSON: nested deeper than 32 levels"},
		{"33 levels inside a field", "application/json", `{"sku": ` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `}`, "body", "Invalid JSON: nested deeper than 32 levels"},
		{"a 5,000-digit amount", "application/json", `{"sku": "ABC", "name": "x", "price": {"amount_minor": ` + strings.Repeat("9", 5000) + `, "currency": "EUR"}}`, "price.amount_minor", ""},
		{"NaN", "application/json", `{"sku": "ABC", "name": "x", "price": {"amount_minor": NaN, "currency": "EUR"}}`, "body", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/products", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			_, err := decodeCreate(req)
			var invalid *RequestError
			if !errors.As(err, &invalid) {
				t.Fatalf("decodeCreate = %v, want a *RequestError", err)
			}
			if len(invalid.Errors) != 1 || invalid.Errors[0].Field != tt.field {
				t.Fatalf("errors %+v, want one about %q", invalid.Errors, tt.field)
			}
			if tt.message != "" && invalid.Errors[0].Message != tt.message {
				t.Errorf("message %q, want %q", invalid.Errors[0].Message, tt.message)
			}
		})
	}
}

func TestTooDeep(t *testing.T) {
	nest := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	if tooDeep(nest(maxJSONDepth)) {
		t.Errorf("%d levels are allowed", maxJSONDepth)
	}
	if !tooDeep(nest(maxJSONDepth + 1)) {
		t.Errorf("%d levels are too deep", maxJSONDepth+1)
	}
	if tooDeep([]byte(`{"name": "` + strings.Repeat("[{", 100) + `\"[["}`)) {
		t.Error("brackets inside strings (after an escaped quote too) do not nest")
	}
}

func TestOpenAPIDocumentServed(t *testing.T) {
	server := newTestServer(t)
	rec := httptest.NewRecorder()
	server.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !bytes.Equal(rec.Body.Bytes(), OpenAPIDocument()) || !json.Valid(rec.Body.Bytes()) {
		t.Error("GET /openapi.json must answer the embedded document byte for byte")
	}
	rec = httptest.NewRecorder()
	server.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/openapi.json", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET" {
		t.Errorf("POST /openapi.json = %d, Allow %q; want 405, GET", rec.Code, rec.Header().Get("Allow"))
	}
}

// net/http refuses %zz in a path before any handler; through ProblemListener the refusal is
// the problem envelope, and every other answer passes untouched.
func TestProblemListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: newTestServer(t), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ProblemListener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })

	// The status, the headers and the body of the answer to one raw request.
	send := func(head string) (int, http.Header, []byte) {
		t.Helper()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close() }()
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header, body
	}
	for _, head := range []string{
		"GET /products/%zz HTTP/1.1\r\nHost: catalog\r\n\r\n",
		"GET /healthz HTTP/1.1\r\n\r\n", // no Host: net/http's "400 Bad Request: missing required Host header"
	} {
		status, header, body := send(head)
		var problem problemBody
		if status != http.StatusBadRequest || header.Get("Content-Type") != problemJSON || json.Unmarshal(body, &problem) != nil || problem.Code != "bad_request" || problem.Status != 400 {
			t.Errorf("%q: %d %q %s; want a 400 bad_request problem", head, status, header.Get("Content-Type"), body)
		}
	}
	status, _, body := send("GET /healthz HTTP/1.1\r\nHost: catalog\r\n\r\n")
	if status != http.StatusOK || string(body) != `{"status":"ok"}` {
		t.Errorf("GET /healthz through the listener = %d %s", status, body)
	}
}

func TestProblemForCannedLeavesResponsesAlone(t *testing.T) {
	for _, p := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: x\r\n\r\n{}",
		"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nDate: x\r\n\r\n",
		"{\"body\": 1}",
	} {
		if _, ok := problemForCanned([]byte(p)); ok {
			t.Errorf("%q must pass through", p)
		}
	}
}
