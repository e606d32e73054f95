package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve answers HTTP on ln with handler until ctx is done (SIGTERM, Ctrl-C), then stops.
//
// TODO(lab 9) step 8: on shutdown, first mark the service not ready (opts.Readiness.Drain():
// GET /readyz then answers 503), then keep serving everything for opts.DrainDelay, so load
// balancers stop sending traffic before the listener closes.
// TODO(lab 9) step 9: server.Close() cuts the requests in flight. Use server.Shutdown with a
// context bounded by opts.Grace (ShutdownGrace when 0): it closes the listener and waits for
// them. README: labs/09-go-resilience/README.md.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, logger *slog.Logger, opts ServeOptions) error {
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("catalog listening on http://"+ln.Addr().String(), "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	_ = opts // TODO(lab 9) steps 8-9
	logger.Info("catalog shutting down")
	if err := server.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
