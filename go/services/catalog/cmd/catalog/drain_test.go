package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from the server while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listening = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// The whole binary's shutdown (run, as main calls it): upstreams behind an httptest server that
// answers after 500 ms, a request in flight when the context ends (SIGTERM in main), /readyz
// 503 during the drain delay while a new request is still served, the request answered 200,
// exit code 0.
func TestRunDrainsOnShutdown(t *testing.T) {
	arrived := make(chan struct{}, 3)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		time.Sleep(500 * time.Millisecond)
		switch {
		case strings.HasPrefix(r.URL.Path, "/pricing/"):
			_, _ = io.WriteString(w, `{"discount_percent": 5, "currency": "EUR"}`)
		case strings.HasPrefix(r.URL.Path, "/inventory/"):
			_, _ = io.WriteString(w, `{"available": 3, "warehouse": "AMS-1"}`)
		default:
			_, _ = io.WriteString(w, `{"reviews": []}`)
		}
	}))
	defer upstream.Close()
	t.Setenv("CATALOG_UPSTREAM_URL", upstream.URL)
	t.Setenv("CATALOG_CALL_TIMEOUT_MS", "3000")
	t.Setenv("CATALOG_DEADLINE_MS", "4000")
	t.Setenv("CATALOG_HEDGE_MS", "3000")
	t.Setenv("CATALOG_DRAIN_DELAY_MS", "300")

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var stderr syncBuffer
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, []string{"--port", "0"}, &stderr) }()
	var base string
	for deadline := time.Now().Add(5 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("the catalog did not start: %s", stderr.String())
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Post(base+"/products", "application/json",
		strings.NewReader(`{"sku": "RUN-1", "name": "Run mug", "price": {"amount_minor": 900, "currency": "EUR"}}`))
	if err != nil {
		t.Fatal(err)
	}
	location := resp.Header.Get("Location")
	_ = resp.Body.Close()

	status := make(chan int, 1)
	go func() {
		resp, err := client.Get(base + location)
		if err != nil {
			status <- 0
			return
		}
		_ = resp.Body.Close()
		status <- resp.StatusCode
	}()
	<-arrived
	stop() // what SIGTERM does in main
	// The drain began once Serve says so (it flips readiness first): a logged status, not a sleep.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stderr.String(), `"msg":"catalog draining"`); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the drain did not begin: %s", stderr.String())
		}
	}
	ready, err := client.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("/readyz while draining: %v", err)
	}
	_ = ready.Body.Close()
	if ready.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz while draining = %d, want 503", ready.StatusCode)
	}
	// Not ready is a signal to the balancer, not a refusal: a request that still arrives during
	// the delay (the balancer has not seen the 503 yet) is served.
	late, err := client.Post(base+"/products", "application/json",
		strings.NewReader(`{"sku": "RUN-2", "name": "Late mug", "price": {"amount_minor": 900, "currency": "EUR"}}`))
	if err != nil {
		t.Fatalf("a request during the drain delay: %v", err)
	}
	_ = late.Body.Close()
	if late.StatusCode != http.StatusCreated {
		t.Errorf("a request during the drain delay got %d, want 201", late.StatusCode)
	}
	if got := <-status; got != http.StatusOK {
		t.Errorf("the request in flight at shutdown got %d, want 200", got)
	}
	if code := <-exited; code != exitOK {
		t.Errorf("run = %d after a clean drain, want %d (%s)", code, exitOK, stderr.String())
	}
}
