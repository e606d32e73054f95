package lab09

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"languagetracks.example/go/services/catalog/internal/adapters"
	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/fanout"
	"languagetracks.example/go/services/catalog/internal/platform"
	"languagetracks.example/go/services/catalog/internal/ports"
)

const serveFile = "internal/platform/serve.go"

// Graceful shutdown, end to end: the catalog's real handler on a real listener, its upstreams
// behind an httptest server that answers after upstreamLatency. While a GET /products/{id} is
// in flight, the context Serve runs with is cancelled (what SIGTERM does in main). Then
// /readyz must answer 503 while the server drains, the in-flight request must still get its
// 200 with every part, and Serve must return nil (main exits 0).
func TestShutdownDrainsInFlightRequests(t *testing.T) {
	const upstreamLatency = 600 * time.Millisecond
	arrived := make(chan struct{}, 3)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		time.Sleep(upstreamLatency)
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
	upstreamClient := &http.Client{Transport: &http.Transport{}}
	defer upstreamClient.CloseIdleConnections()
	upstreams := fanout.Upstreams{}
	for _, name := range fanout.Names {
		upstreams[name] = fanout.HTTP{Name: name, BaseURL: upstream.URL, Client: upstreamClient}
	}
	aggregator, err := fanout.NewAggregator(upstreams, fanout.Policy{CallTimeout: 3 * time.Second, Deadline: 4 * time.Second, MaxConcurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := app.NewCatalog(app.Config{Repository: adapters.NewMemoryProductRepository()})
	if err != nil {
		t.Fatal(err)
	}
	readiness := new(platform.Readiness)
	server, err := ports.NewServer(ports.ServerConfig{Products: catalog, Details: aggregator, Ready: readiness.Ready})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() {
		served <- platform.Serve(ctx, ln, server, platform.NewLogger(io.Discard),
			platform.ServeOptions{Readiness: readiness, DrainDelay: 300 * time.Millisecond, Grace: 5 * time.Second})
	}()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

	body := `{"sku": "DRAIN-1", "name": "Drain mug", "price": {"amount_minor": 900, "currency": "EUR"}}`
	resp, err := client.Post(base+"/products", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	_ = json.NewDecoder(resp.Body).Decode(&created)
	_ = resp.Body.Close()
	if status := get(t, client, base+"/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz before shutdown = %d, want 200", status)
	}

	type result struct {
		status   int
		degraded int
		err      error
	}
	inFlight := make(chan result, 1)
	go func() {
		resp, err := client.Get(base + "/products/" + created.ID)
		if err != nil {
			inFlight <- result{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		var details struct{ Degraded []any }
		err = json.NewDecoder(resp.Body).Decode(&details)
		inFlight <- result{status: resp.StatusCode, degraded: len(details.Degraded), err: err}
	}()
	<-arrived // the request is in flight, its upstream calls under way
	stop()    // SIGTERM

	// The drain began once readiness says so (a status, not a sleep); a Serve that never flips
	// it is caught by the /readyz check below once this gives up.
	for giveUp := time.Now().Add(2 * time.Second); readiness.Ready() && time.Now().Before(giveUp); {
		time.Sleep(time.Millisecond)
	}
	if status := get(t, client, base+"/readyz"); status != http.StatusServiceUnavailable {
		t.Errorf("/readyz while draining = %d, want 503: flip readiness first thing on shutdown, then keep serving for the drain delay (%s)", status, todo(8, serveFile))
	}
	got := <-inFlight
	if got.err != nil || got.status != http.StatusOK || got.degraded != 0 {
		t.Errorf("the request in flight at SIGTERM got status %d, %d degraded parts, error %v; want 200 with every part: drain in-flight requests (http.Server.Shutdown), never drop them (%s)", got.status, got.degraded, got.err, todo(9, serveFile))
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v after a clean drain, want nil (main exits 0)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the drain")
	}
}

func get(t *testing.T, client *http.Client, url string) int {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Logf("GET %s: %v", url, err)
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}
