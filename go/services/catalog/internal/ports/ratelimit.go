package ports

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit is the edge's token bucket: PerSecond requests a second on average, Burst at once.
// The zero value turns limiting off.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// DefaultRateLimit is generous: it stops a runaway client, not a workshop's probes.
var DefaultRateLimit = RateLimit{PerSecond: 1000, Burst: 1000}

// rateLimited is the problem of a request refused by the limiter.
var rateLimited = problemType{http.StatusTooManyRequests, "rate_limited", "Too many requests"}

func newLimiter(cfg RateLimit) *rate.Limiter {
	if cfg.PerSecond <= 0 || cfg.Burst < 1 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(cfg.PerSecond), cfg.Burst)
}

// admit takes a token, or answers 429 rate_limited with Retry-After (whole seconds, at least
// 1) and reports false. Health checks are never limited: an orchestrator must see a busy
// service as alive.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	if s.limiter == nil || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
		return true
	}
	reservation := s.limiter.Reserve()
	delay := reservation.Delay()
	if reservation.OK() && delay == 0 {
		return true
	}
	reservation.Cancel() // the request is refused: give the token back
	if !reservation.OK() {
		delay = time.Second
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(delay.Seconds())))))
	writeProblem(w, rateLimited, "Too many requests; retry after the time in Retry-After.", nil)
	return false
}
