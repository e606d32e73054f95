package ports_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/ports"
)

// The gateway's body limits are the catalogs': 413 for a body over the limit (declared or
// grown), 408 for a body that does not arrive in time, the connection closed after either, and
// the recommender never called.

func feedbackFake() *fake {
	return &fake{feedback: func(context.Context, int, *recv1.RecordFeedbackRequest) (*recv1.RecordFeedbackResponse, error) {
		return &recv1.RecordFeedbackResponse{FeedbackId: "f-1"}, nil
	}}
}

func feedbackHeaders() map[string]string {
	headers := auth()
	headers["Idempotency-Key"] = "key-0001-abcd"
	headers["Content-Type"] = "application/json"
	return headers
}

func calls(f *fake) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func TestABodyOverTheLimitIs413AndNeverReachesTheRecommender(t *testing.T) {
	f := feedbackFake()
	h := newHarness(t, f)
	big := `{"user_id":"u-1","item_id":"` + strings.Repeat("x", ports.MaxBodyBytes) + `","kind":"clicked"}`
	a := h.do(t, http.MethodPost, "/feedback", big, feedbackHeaders())
	expectProblem(t, a, http.StatusRequestEntityTooLarge, "payload_too_large")
	if n := calls(f); n != 0 {
		t.Errorf("the recommender was called %d times", n)
	}
}

func TestAChunkedBodyThatGrowsPastTheLimitIs413(t *testing.T) {
	f := feedbackFake()
	h := newHarness(t, f)
	// An unknown length: the client sends it chunked, and the limit is found while reading.
	body := io.MultiReader(strings.NewReader(`{"user_id":"u-1","item_id":"`), strings.NewReader(strings.Repeat("x", 4*ports.MaxBodyBytes)))
	req, err := http.NewRequest(http.MethodPost, h.url+"/feedback", body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range feedbackHeaders() {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
		t.Fatalf("status %d (close %v), want 413 and the connection closed", resp.StatusCode, resp.Close)
	}
}

func TestABodyAtTheLimitIsRead(t *testing.T) {
	f := feedbackFake()
	h := newHarness(t, f)
	good := `{"user_id":"u-1","item_id":"es-1","kind":"clicked"}`
	padded := good + strings.Repeat(" ", ports.MaxBodyBytes-len(good)) // JSON allows trailing space
	a := h.do(t, http.MethodPost, "/feedback", padded, feedbackHeaders())
	if a.status != http.StatusOK {
		t.Fatalf("status %d, want 200 for a body of exactly the limit; body %s", a.status, a.body)
	}
}

func TestASlowBodyIs408WithinTheBodyTimeout(t *testing.T) {
	defer ports.SetBodyTimeout(300 * time.Millisecond)()
	f := feedbackFake()
	h := newHarness(t, f)
	u, err := url.Parse(h.url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	head := "POST /feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n" +
		"Authorization: " + auth()["Authorization"] + "\r\nIdempotency-Key: key-0001-abcd\r\n\r\n{\"user_id\""
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	// The rest of the body never comes: the answer must, once the body timeout has passed.
	started := time.Now()
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a slow body: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
		t.Fatalf("status %d (close %v), want 408 and the connection closed", resp.StatusCode, resp.Close)
	}
	if waited := time.Since(started); waited < 250*time.Millisecond {
		t.Errorf("answered after %v, before the body timeout", waited)
	}
	if n := calls(f); n != 0 {
		t.Errorf("the recommender was called %d times", n)
	}
}

// TestAClientStillWritingReadsThe413: a client that sends its whole (oversized) body before it
// reads must get the 413, not a connection reset — the lingering close drains the rest first.
func TestAClientStillWritingReadsThe413(t *testing.T) {
	h := newHarness(t, feedbackFake())
	u, err := url.Parse(h.url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	const size = 32 << 20 // past what the loopback socket buffers absorb
	head := "POST /feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: key-0001-abcd\r\n" +
		"Content-Length: " + strconv.Itoa(size) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+strings.Repeat(" ", size)); err != nil {
		t.Fatalf("writing the body: %v (the gateway reset the connection instead of draining it)", err)
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
