package ports_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"languagetracks.example/go/services/gateway/internal/ports"
)

// GET /openapi.json answers the committed document byte for byte (the embedded copy, which
// tooling/gates/openapi-drift.test.ts keeps equal to tooling/contract/gateway.openapi.json).
func TestOpenAPIDocumentIsServedByteForByte(t *testing.T) {
	h := newHarness(t, &fake{})
	a := h.do(t, http.MethodGet, "/openapi.json", "", nil)
	onDisk, err := os.ReadFile("gateway.openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/json" || !bytes.Equal(a.body, onDisk) || !bytes.Equal(a.body, ports.OpenAPIDocument()) {
		t.Fatalf("GET /openapi.json = %d %q, %d bytes; want 200 application/json and the %d bytes of gateway.openapi.json", a.status, a.header.Get("Content-Type"), len(a.body), len(onDisk))
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(a.body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("not an OpenAPI 3.1.0 document: %v %q", err, doc.OpenAPI)
	}
	for _, path := range []string{"/healthz", "/readyz", "/openapi.json", "/metrics", "/users/{id}/recommendations", "/users/{id}/recommendations/stream", "/feedback", "/admin/weights"} {
		if _, ok := doc.Paths[path]; !ok {
			t.Errorf("the document has no %s", path)
		}
	}
	a = h.do(t, http.MethodPost, "/openapi.json", "", nil)
	expectProblem(t, a, http.StatusMethodNotAllowed, "method_not_allowed")
}

// net/http refuses what it cannot parse before any handler, in text/plain; through
// ProblemListener every such refusal is the envelope, and ordinary answers pass untouched.
func TestProblemListenerAnswersRouterRefusalsWithTheEnvelope(t *testing.T) {
	h := newHarness(t, &fake{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Every connection is waited for: after some refusals net/http lingers 500 ms before it
	// closes (closeWriteAndWait), and goleak would see that goroutine.
	var conns sync.WaitGroup
	srv := &http.Server{Handler: h.server, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 4 << 10,
		ConnState: func(_ net.Conn, state http.ConnState) {
			switch state {
			case http.StateNew:
				conns.Add(1)
			case http.StateClosed, http.StateHijacked:
				conns.Done()
			}
		}}
	go func() { _ = srv.Serve(ports.ProblemListener(ln)) }()
	t.Cleanup(func() {
		_ = srv.Close()
		conns.Wait()
	})

	var closed bool // the last answer said Connection: close (ReadResponse moves it to resp.Close)
	send := func(head string) answer {
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
		closed = resp.Close
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return answer{resp.StatusCode, resp.Header, body}
	}
	for _, tc := range []struct {
		name, head string
		status     int
		code       string
	}{
		{"%zz in the path", "GET /users/%zz/recommendations?language=es HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
		{"a cut percent-escape", "GET /healthz%4 HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
		{"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "bad_request"},
		{"a header without a colon", "GET /healthz HTTP/1.1\r\nHost: gw\r\nnot a header\r\n\r\n", 400, "bad_request"},
		{"a header name with a space", "GET /healthz HTTP/1.1\r\nHost: gw\r\nBad Name: x\r\n\r\n", 400, "bad_request"},
		{"headers over MaxHeaderBytes", "GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n", 431, "headers_too_large"},
		{"an unknown transfer coding", "POST /feedback HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "not_implemented"},
		{"HTTP/9.9", "GET /healthz HTTP/9.9\r\nHost: gw\r\n\r\n", 505, "http_version_not_supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := send(tc.head)
			expectProblem(t, a, tc.status, tc.code)
			if !closed {
				t.Error("no Connection: close")
			}
		})
	}
	if a := send("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n"); a.status != http.StatusOK || string(a.body) != `{"status":"ok"}`+"\n" {
		t.Errorf("GET /healthz through the listener = %d %s", a.status, a.body)
	}
	expectProblem(t, send("GET /nowhere HTTP/1.1\r\nHost: gw\r\n\r\n"), http.StatusNotFound, "not_found")
}

// An X-Request-Timeout-Ms sent empty is not "no header" (the whole budget) but a value that is
// not a whole number: 400 naming the header, before any call (schemathesis found the 200).
func TestEmptyTimeoutHeaderIs400(t *testing.T) {
	for _, value := range []string{"", " "} {
		f := &fake{}
		h := newHarness(t, f)
		body := expectProblem(t, h.do(t, http.MethodGet, "/users/u1/recommendations?language=es", "", auth(ports.TimeoutHeader, value)), http.StatusBadRequest, "invalid_request")
		if errs, _ := body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != ports.TimeoutHeader {
			t.Errorf("X-Request-Timeout-Ms %q: errors %v, want the header named", value, body["errors"])
		}
		a := h.do(t, http.MethodPost, "/feedback", `{"user_id":"u1","item_id":"es-01","kind":"clicked"}`, auth("Idempotency-Key", "key-0001-abcd", ports.TimeoutHeader, value))
		expectProblem(t, a, http.StatusBadRequest, "invalid_request")
		if n := len(f.seen()); n != 0 {
			t.Errorf("X-Request-Timeout-Ms %q: %d calls, want none", value, n)
		}
	}
}
