package fanout

import (
	"context"
	"io"
	"net"
	"sync"
	"time"
)

// LetGoGrace is how long closing an upstream connection waits for the upstream to close its
// side after ours. A server that watches its connections (net/http cancels the request's
// context, uvicorn tells the app) does so at once; one that serves on regardless is let go
// after this, and the bound can no longer see its work.
const LetGoGrace = 50 * time.Millisecond

// Dialer opens a connection, like net.Dialer.DialContext.
type Dialer func(ctx context.Context, network, address string) (net.Conn, error)

// LetGo wraps dial so that closing one of its connections returns only once the upstream has
// let go of it (DESIGN.md, 2026-12-07, "What the bulkhead bounds"). http.Transport closes a
// connection when its call is abandoned (the context is done) before RoundTrip returns, so an
// abandoned call returns — and the aggregator frees its slot — only when the upstream has
// seen the call end: the bound counts what the upstream still serves.
func LetGo(dial Dialer) Dialer {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := dial(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return &letGoConn{Conn: conn}, nil
	}
}

type letGoConn struct {
	net.Conn
	once sync.Once
	err  error
}

// Close half-closes (the upstream reads the end of the call), reads and drops until the
// upstream closes its side or LetGoGrace passes, then closes. The transport's own reader may
// be blocked in Read meanwhile: the socket's reads are serialised, both see the end, and the
// read deadline bounds them both.
func (c *letGoConn) Close() error {
	c.once.Do(func() {
		if half, ok := c.Conn.(interface{ CloseWrite() error }); ok && half.CloseWrite() == nil {
			if c.SetReadDeadline(time.Now().Add(LetGoGrace)) == nil {
				_, _ = io.Copy(io.Discard, c.Conn)
			}
		}
		c.err = c.Conn.Close()
	})
	return c.err
}
