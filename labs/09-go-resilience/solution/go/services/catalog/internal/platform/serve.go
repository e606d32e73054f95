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

// Serve answers HTTP on ln with handler until ctx is done (SIGTERM, Ctrl-C), then drains
// (lab 9):
//
//  1. readiness flips to not ready (GET /readyz answers 503);
//  2. for DrainDelay the server still serves everything, new requests included;
//  3. http.Server.Shutdown closes the listener and idle connections and waits, up to Grace,
//     for the requests in flight to finish; their answers are sent in full;
//  4. Serve returns nil, and main exits 0.
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
	opts.Readiness.Drain()
	logger.Info("catalog draining", "drain_delay_ms", opts.DrainDelay.Milliseconds())
	if opts.DrainDelay > 0 {
		timer := time.NewTimer(opts.DrainDelay)
		select {
		case <-timer.C:
		case err := <-served:
			timer.Stop()
			return fmt.Errorf("serve: %w", err)
		}
	}
	grace := opts.Grace
	if grace <= 0 {
		grace = ShutdownGrace
	}
	logger.Info("catalog shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
