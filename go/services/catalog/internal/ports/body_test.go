package ports

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
)

func bodyServer(t *testing.T) *Server {
	t.Helper()
	catalog, err := app.NewCatalog(app.Config{Repository: adapters.NewMemoryProductRepository()})
	if err != nil {
		t.Fatal(err)
	}
	server, err := NewServer(ServerConfig{Products: catalog})
	if err != nil {
		t.Fatal(err)
	}
	return server
}

func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var body problemBody
	if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Code != code {
		t.Fatalf("status %d body %s, want %d %s", rec.Code, rec.Body.String(), status, code)
	}
	if rec.Header().Get("Connection") != "close" {
		t.Errorf("a refused body must close the connection (the rest is never read)")
	}
}

// countingReader counts what was read from it: a refused body is drained (dropped, not kept) up to
// lingerBytes, never more.
type countingReader struct {
	n, limit int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.limit {
		return 0, io.EOF
	}
	n := min(len(p), c.limit-c.n)
	for i := range n {
		p[i] = ' '
	}
	c.n += n
	return n, nil
}

func TestABodyOverTheLimitIs413(t *testing.T) {
	server := bodyServer(t)
	t.Run("declared: refused, the rest dropped up to the linger bound", func(t *testing.T) {
		body := &countingReader{limit: 100 << 20}
		req := httptest.NewRequest(http.MethodPost, "/products", body)
		req.ContentLength = 100 << 20
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, req)
		wantProblem(t, rec, http.StatusRequestEntityTooLarge, "payload_too_large")
		if body.n != lingerBytes {
			t.Errorf("%d bytes read of a 100 MiB body refused by its declared length, want the %d-byte linger only", body.n, lingerBytes)
		}
		if req.Pattern != "/products" {
			t.Errorf("a 413 is labelled %q, want its route /products", req.Pattern)
		}
	})
	t.Run("chunked: refused once it grows past the limit", func(t *testing.T) {
		body := &countingReader{limit: 3 << 20}
		req := httptest.NewRequest(http.MethodPost, "/products", body)
		req.ContentLength = -1 // unknown: chunked
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, req)
		wantProblem(t, rec, http.StatusRequestEntityTooLarge, "payload_too_large")
		if body.n != 3<<20 {
			t.Errorf("%d bytes read of a 3 MiB body: it is drained (dropped) after the 413 is decided", body.n)
		}
	})
	t.Run("at the limit: read whole and validated", func(t *testing.T) {
		padded := `{"pad": "` + strings.Repeat("x", maxBodyBytes-11) + `"}`
		req := httptest.NewRequest(http.MethodPost, "/products", strings.NewReader(padded))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a body of exactly %d bytes: status %d, want 422 (read, then validated)", maxBodyBytes, rec.Code)
		}
	})
}

func TestASlowBodyIs408(t *testing.T) {
	old := bodyTimeout
	bodyTimeout = 300 * time.Millisecond
	t.Cleanup(func() { bodyTimeout = old })
	ts := httptest.NewServer(bodyServer(t))
	t.Cleanup(ts.Close)
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	started := time.Now()
	head := "POST /products HTTP/1.1\r\nHost: catalog\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	answer, _ := io.ReadAll(conn)
	if !strings.HasPrefix(string(answer), "HTTP/1.1 408") || !strings.Contains(string(answer), `"code":"request_timeout"`) {
		t.Fatalf("a body that never arrives: %q, want a 408 request_timeout problem", answer)
	}
	if elapsed := time.Since(started); elapsed > 2*time.Second {
		t.Errorf("the 408 took %s; the body timeout is %s", elapsed, bodyTimeout)
	}
}

// TestAClientStillWritingReadsThe413: a client that sends its whole (oversized) body before it
// reads must get the 413, not a connection reset — the lingering close drains the rest first.
func TestAClientStillWritingReadsThe413(t *testing.T) {
	ts := httptest.NewServer(bodyServer(t))
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	const size = 32 << 20 // past what the loopback socket buffers absorb
	head := "POST /products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(size) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+strings.Repeat(" ", size)); err != nil {
		t.Fatalf("writing the body: %v (the server reset the connection instead of draining it)", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer after the whole body: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}
