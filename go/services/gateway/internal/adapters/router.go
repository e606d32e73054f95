package adapters

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/app"
	"languagetracks.example/go/services/gateway/internal/metrics"
)

// Route is one named recommender behind the Router: its client (over its own, long-lived
// ClientConn) and its health, as watched in the background.
type Route struct {
	// Name is the upstream's configured name ("v1"), its label in metrics and logs.
	Name string
	// Client calls it (required).
	Client recv1.RecommendationServiceClient
	// Health is its last known health (a *HealthWatcher); nil means always SERVING.
	Health Health
}

// Health is an upstream's last known health, as a *HealthWatcher keeps it. Status is read on
// every call's pick: it must be cheap (an atomic load), never an RPC.
type Health interface {
	Status() HealthStatus
}

// RouterConfig is what NewRouter needs.
type RouterConfig struct {
	// Routes are the upstreams, in configuration order (at least one, names unique).
	Routes []Route
	// Weights is the initial table (app.ValidateWeights rules).
	Weights app.Weights
	// Rand returns a number in [0, n); nil means math/rand/v2. Tests inject a sequence.
	Rand func(n int) int
	// Metrics receives the upstream series and the weight gauges; nil means none.
	Metrics *metrics.Metrics
	// Logger logs every weight change; nil means slog.Default().
	Logger *slog.Logger
}

// routeTable is one immutable weight table: a change builds a new one and swaps the pointer,
// so a request reads one consistent table without a lock.
type routeTable struct {
	weights app.Weights
	// upTo[i] is the sum of the weights of routes 0..i: route i takes draws in
	// [upTo[i-1], upTo[i]), an empty range for a weight of 0.
	upTo []int
}

// Router is a RecommendationServiceClient that sends each call to one upstream, chosen at
// random by weight when the call starts. The upstream's ClientConn does the rest: its
// service-config retries stay on the chosen upstream, and a weight change never touches a
// connection, so in-flight and new calls do not fail when the weights move.
//
// The pick is health-aware: an upstream whose watched health is NOT_SERVING (draining after a
// SIGTERM, stopped, unreachable) is skipped and its share goes to the routable ones in
// proportion to their weights; an upstream not yet checked counts as routable. When no
// upstream with a weight is routable, the configured weights apply unchanged: the calls then
// fail visibly (UNAVAILABLE → 503 unavailable) rather than the gateway inventing a reason.
type Router struct {
	routes  []Route
	names   []string
	table   atomic.Pointer[routeTable]
	mu      sync.Mutex // serializes SetWeights so each log line's "from" is the table it replaced
	rand    func(n int) int
	metrics *metrics.Metrics
	logger  *slog.Logger
}

var _ recv1.RecommendationServiceClient = (*Router)(nil)

// ErrNoRoutes is returned by NewRouter without routes.
var ErrNoRoutes = errors.New("adapters: a Router needs at least one route")

// NewRouter returns a Router over cfg.Routes with cfg.Weights.
func NewRouter(cfg RouterConfig) (*Router, error) {
	if len(cfg.Routes) == 0 {
		return nil, ErrNoRoutes
	}
	r := &Router{routes: cfg.Routes, rand: cfg.Rand, metrics: cfg.Metrics, logger: cfg.Logger}
	for _, route := range cfg.Routes {
		r.names = append(r.names, route.Name)
	}
	if r.rand == nil {
		r.rand = rand.IntN // #nosec G404 -- load balancing, not security
	}
	if r.logger == nil {
		r.logger = slog.Default()
	}
	weights, err := app.ValidateWeights(cfg.Weights, r.names)
	if err != nil {
		return nil, err
	}
	r.store(weights)
	return r, nil
}

// Names are the upstream names in configuration order.
func (r *Router) Names() []string { return append([]string(nil), r.names...) }

// Weights is a copy of the current table.
func (r *Router) Weights() app.Weights {
	current := r.table.Load().weights
	out := make(app.Weights, len(current))
	for k, v := range current {
		out[k] = v
	}
	return out
}

// SetWeights validates w and swaps it in atomically; calls already routed keep their
// upstream, the next ones follow the new table. The change is logged with who asked for it.
func (r *Router) SetWeights(w app.Weights, who string) (app.Weights, error) {
	weights, err := app.ValidateWeights(w, r.names)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.table.Load().weights
	r.store(weights)
	r.logger.Info("upstream weights changed", "from", old.String(r.names), "to", weights.String(r.names), "by", who)
	return r.Weights(), nil
}

func (r *Router) store(weights app.Weights) {
	t := &routeTable{weights: weights, upTo: make([]int, len(r.routes))}
	sum := 0
	for i, route := range r.routes {
		sum += weights[route.Name]
		t.upTo[i] = sum
	}
	r.table.Store(t)
	if r.metrics != nil {
		for _, name := range r.names {
			r.metrics.SetWeight(name, weights[name])
		}
	}
}

// healthOf is a route's last known health; no watcher means SERVING.
func healthOf(route Route) HealthStatus {
	if route.Health == nil {
		return HealthServing
	}
	return route.Health.Status()
}

// pick chooses the upstream of one call. With every weighted upstream routable (the usual
// case) a draw in [0, 100) falls in exactly one route's range; a route of weight 0 has an
// empty range and never gets a call. Otherwise the draw is in [0, the routable weights' sum)
// over the routable routes only, so each keeps its proportion; with none routable, the
// configured table stands. Cost: one atomic load per upstream, no allocation, no lock.
func (r *Router) pick() Route {
	t := r.table.Load()
	// Each route's share, read once (a watcher may change it meanwhile): its weight if it is
	// routable, else 0. On the stack for up to 16 upstreams.
	var buf [16]int
	shares, routable := buf[:0], 0
	for _, route := range r.routes {
		w := t.weights[route.Name]
		if w > 0 && healthOf(route) == HealthNotServing {
			w = 0
		}
		shares = append(shares, w)
		routable += w
	}
	if routable == 0 || routable == app.WeightTotal {
		// Every weighted route routable, or none (fall back to the configured table).
		draw := r.rand(app.WeightTotal)
		for i, upTo := range t.upTo {
			if draw < upTo {
				return r.routes[i]
			}
		}
		return r.routes[len(r.routes)-1] // unreachable: the weights sum to WeightTotal
	}
	draw := r.rand(routable)
	for i, share := range shares {
		if draw < share {
			return r.routes[i]
		}
		draw -= share
	}
	return r.routes[len(r.routes)-1] // unreachable: the draw is below the routable sum
}

// Ready is true when at least one upstream with a weight above 0 is known to be SERVING. A
// draining or stopped upstream does not take the edge out of rotation while another takes its
// share (the pick skips it); one at weight 0 (a blue/green standby, a rolled-back canary) gets
// no traffic and does not count either way. Read from the watchers: no RPC per probe.
func (r *Router) Ready(context.Context) bool {
	weights := r.table.Load().weights
	for _, route := range r.routes {
		if weights[route.Name] > 0 && healthOf(route) == HealthServing {
			return true
		}
	}
	return false
}

func (r *Router) observe(name string, code codes.Code, started time.Time) {
	if r.metrics != nil {
		r.metrics.ObserveUpstream(name, code, time.Since(started))
	}
}

// Recommend sends the call to one upstream.
func (r *Router) Recommend(ctx context.Context, in *recv1.RecommendRequest, opts ...grpc.CallOption) (*recv1.RecommendResponse, error) {
	route, started := r.pick(), time.Now()
	resp, err := route.Client.Recommend(ctx, in, opts...)
	r.observe(route.Name, status.Code(err), started)
	return resp, err
}

// RecordFeedback sends the call to one upstream.
func (r *Router) RecordFeedback(ctx context.Context, in *recv1.RecordFeedbackRequest, opts ...grpc.CallOption) (*recv1.RecordFeedbackResponse, error) {
	route, started := r.pick(), time.Now()
	resp, err := route.Client.RecordFeedback(ctx, in, opts...)
	r.observe(route.Name, status.Code(err), started)
	return resp, err
}

// StreamRecommendations opens the stream on one upstream; it is observed once, when it ends:
// Recv's io.EOF (OK) or error, or ctx ending first (the handler stopped reading).
func (r *Router) StreamRecommendations(ctx context.Context, in *recv1.StreamRecommendationsRequest, opts ...grpc.CallOption) (grpc.ServerStreamingClient[recv1.StreamRecommendationsResponse], error) {
	route, started := r.pick(), time.Now()
	stream, err := route.Client.StreamRecommendations(ctx, in, opts...)
	if err != nil {
		r.observe(route.Name, status.Code(err), started)
		return nil, err
	}
	s := &observedStream{ServerStreamingClient: stream}
	s.end = func(code codes.Code) { s.once.Do(func() { r.observe(route.Name, code, started) }) }
	s.stop = context.AfterFunc(ctx, func() { s.end(status.FromContextError(ctx.Err()).Code()) })
	return s, nil
}

// observedStream reports the end of a stream once.
type observedStream struct {
	grpc.ServerStreamingClient[recv1.StreamRecommendationsResponse]
	once sync.Once
	end  func(codes.Code)
	stop func() bool
}

func (s *observedStream) Recv() (*recv1.StreamRecommendationsResponse, error) {
	m, err := s.ServerStreamingClient.Recv()
	if err != nil {
		s.stop()
		if errors.Is(err, io.EOF) {
			s.end(codes.OK)
		} else {
			s.end(status.Code(err))
		}
	}
	return m, err
}
