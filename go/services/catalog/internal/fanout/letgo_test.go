package fanout

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// silentUpstream reads one request per connection and never answers. It reports each request
// on received, counts the connections whose end it saw (before closing its side), and closes
// its side once release is closed (at once when release starts closed).
type silentUpstream struct {
	listener net.Listener
	received chan struct{}
	ended    atomic.Int32
	release  chan struct{}
}

func newSilentUpstream(t *testing.T, closesPromptly bool) *silentUpstream {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &silentUpstream{listener: listener, received: make(chan struct{}, 8), release: make(chan struct{})}
	if closesPromptly {
		close(u.release)
	}
	t.Cleanup(func() { _ = listener.Close() })
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go u.serve(conn)
		}
	}()
	return u
}

func (u *silentUpstream) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	reader := bufio.NewReader(conn)
	if _, err := http.ReadRequest(reader); err != nil {
		return
	}
	u.received <- struct{}{}
	if _, err := reader.ReadByte(); err == nil {
		return // not a silent client
	}
	u.ended.Add(1) // the end of the call reached the upstream
	<-u.release
}

func letGoClient() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = LetGo(transport.DialContext)
	return &http.Client{Transport: transport}
}

func TestAnAbandonedCallReturnsOnceTheUpstreamHasLetGo(t *testing.T) {
	upstream := newSilentUpstream(t, true)
	fetch := HTTP{Name: Pricing, BaseURL: "http://" + upstream.listener.Addr().String(), Client: letGoClient()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := fetch.Fetch(ctx, "p-1")
		done <- err
	}()
	<-upstream.received // the call is in flight
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch returned %v, want context.Canceled", err)
	}
	// The caller frees its slot only now, and the upstream has already seen the call end.
	if got := upstream.ended.Load(); got != 1 {
		t.Fatalf("the upstream had seen %d calls end when Fetch returned, want 1", got)
	}
}

func TestAnUpstreamThatNeverLetsGoIsClosedAfterTheGrace(t *testing.T) {
	upstream := newSilentUpstream(t, false)
	defer close(upstream.release)
	fetch := HTTP{Name: Pricing, BaseURL: "http://" + upstream.listener.Addr().String(), Client: letGoClient()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := fetch.Fetch(ctx, "p-1")
		done <- err
	}()
	<-upstream.received
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Fetch returned %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second): // a hang fails here; LetGoGrace ends it long before
		t.Fatal("Fetch did not return although the upstream never closed its side")
	}
}
