package outbox

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// NATS connection settings. Reconnects are unlimited: a broker outage must not end the
// service, the relay keeps its rows pending and the consumers resume once the broker is back.
const (
	natsConnectTimeout = 2 * time.Second
	natsReconnectWait  = 500 * time.Millisecond
	natsDrainTimeout   = 5 * time.Second
)

// NATSConn is a connection to the broker that reconnects forever and can be drained.
type NATSConn struct {
	*nats.Conn
	closed chan struct{}
}

// DialNATS connects to rawURL (a nats:// URL, or several separated by commas). It fails at once
// when no server answers: at start-up an unreachable broker is a configuration error. Once
// connected it reconnects forever, and logs each disconnect and reconnect.
func DialNATS(rawURL, name string, logger *slog.Logger) (*NATSConn, error) {
	closed := make(chan struct{})
	nc, err := nats.Connect(rawURL,
		nats.Name(name),
		nats.Timeout(natsConnectTimeout),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(natsReconnectWait),
		// No reconnect buffer: a publish while disconnected fails at once (the relay keeps the
		// row pending) instead of sitting in a buffer the process could die with.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				logger.Warn("broker disconnected", "error", err.Error())
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { logger.Info("broker reconnected", "url", c.ConnectedUrlRedacted()) }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			logger.Warn("broker error", "error", err.Error())
		}),
		nats.ClosedHandler(func(*nats.Conn) { close(closed) }),
	)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to the broker at %s: %w", RedactedURLs(rawURL), err)
	}
	return &NATSConn{Conn: nc, closed: closed}, nil
}

// Drain drains the connection (pending publishes and acks are flushed, subscriptions end)
// and waits until it is closed, at most natsDrainTimeout; then it closes it anyway. Call it
// after the relay and the consumers have stopped.
func (c *NATSConn) Drain() error {
	if c.IsClosed() {
		return nil
	}
	if err := c.Conn.Drain(); err != nil {
		c.Close()
		return fmt.Errorf("drain the broker connection: %w", err)
	}
	select {
	case <-c.closed:
		return nil
	case <-time.After(natsDrainTimeout):
		c.Close()
		return errors.New("drain the broker connection: timed out, closed it")
	}
}

// RedactedURLs is a server list (comma-separated URLs) with any password replaced by xxxxx,
// for logs and error messages.
func RedactedURLs(servers string) string {
	parts := strings.Split(servers, ",")
	for i, part := range parts {
		if u, err := url.Parse(strings.TrimSpace(part)); err == nil {
			parts[i] = u.Redacted()
		}
	}
	return strings.Join(parts, ",")
}
