package platform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// NewLogger returns the service's structured logger: one JSON object per line on w.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}

// ShutdownGrace is how long Serve waits for in-flight requests once draining starts.
const ShutdownGrace = 5 * time.Second

// Drainer is told first when a shutdown starts (the gateway's /readyz turns 503).
type Drainer interface {
	SetDraining()
}

// Serve answers HTTP on ln with handler until ctx is done (SIGTERM, Ctrl-C); then it marks
// the handler draining, waits drainDelay (so load balancers see /readyz fail and stop
// sending), stops accepting connections and waits up to ShutdownGrace for in-flight
// requests, streams included.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, drainer Drainer, drainDelay time.Duration, logger *slog.Logger) error {
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("gateway listening on http://"+ln.Addr().String(), "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("gateway draining", "drain_delay_ms", drainDelay.Milliseconds())
	if drainer != nil {
		drainer.SetDraining()
	}
	if drainDelay > 0 {
		time.Sleep(drainDelay)
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownGrace)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("gateway stopped")
	return nil
}
