// Package ports is the gateway's HTTP edge: routes, strict decoding, the request budget that
// becomes the gRPC deadline, the bearer token and idempotency key carried as gRPC metadata,
// NDJSON streaming, and problems.go, the one place errors (gRPC statuses included) become
// responses.
package ports

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc/metadata"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/app"
	"languagetracks.example/go/services/gateway/internal/metrics"
)

// Readiness says whether the upstreams can take traffic (adapters.Router: every upstream with
// a weight above 0 is SERVING).
type Readiness interface {
	Ready(ctx context.Context) bool
}

// Metadata keys the gateway sends with every call.
const (
	// AuthorizationKey carries the caller's "Bearer <jwt>" unchanged; the recommender
	// verifies it.
	AuthorizationKey = "authorization"
	// IdempotencyKey carries POST /feedback's Idempotency-Key (also in the request field).
	IdempotencyKey = "idempotency-key"
)

// TimeoutHeader lets a client ask for a smaller budget than the server's.
const TimeoutHeader = "X-Request-Timeout-Ms"

// ServerConfig is what NewServer needs.
type ServerConfig struct {
	// Recommender is the gRPC client (required): an adapters.Router in main, which picks an
	// upstream per call.
	Recommender recv1.RecommendationServiceClient
	// Readiness backs /readyz; nil means always ready.
	Readiness Readiness
	// Budget aligns deadlines; the zero value means app.DefaultBudget.
	Budget app.Budget
	// Logger receives one line per failed request; nil means slog.Default().
	Logger *slog.Logger
	// Tracer starts the HTTP server span; nil means no spans (the trace is still propagated).
	Tracer trace.Tracer
	// Propagator reads an incoming traceparent; nil means W3C trace context.
	Propagator propagation.TextMapPropagator
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Metrics, when set, is served at GET /metrics and records every other request in
	// gateway_request_duration_seconds.
	Metrics *metrics.Metrics
	// Admin configures /admin/weights; without a token the routes do not exist (404).
	Admin AdminConfig
	// Tokens verifies the bearer token at the edge before the budget is judged (main always
	// sets it); nil checks only that a Bearer token is there, and the recommender verifies.
	Tokens *TokenVerifier
}

// Server is the gateway's HTTP API, an http.Handler.
type Server struct {
	client     recv1.RecommendationServiceClient
	readiness  Readiness
	budget     app.Budget
	logger     *slog.Logger
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	tokens     *TokenVerifier
	now        func() time.Time
	mux        *http.ServeMux
	draining   atomic.Bool
	metrics    *metrics.Metrics
	admin      AdminConfig
}

// ErrNoRecommender is returned by NewServer when ServerConfig.Recommender is nil.
var ErrNoRecommender = errors.New("ports: ServerConfig.Recommender is required")

// NewServer returns the HTTP API over cfg.Recommender.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.Recommender == nil {
		return nil, ErrNoRecommender
	}
	s := &Server{client: cfg.Recommender, readiness: cfg.Readiness, budget: cfg.Budget, logger: cfg.Logger,
		tracer: cfg.Tracer, propagator: cfg.Propagator, now: cfg.Now, mux: http.NewServeMux(), metrics: cfg.Metrics, admin: cfg.Admin,
		tokens: cfg.Tokens}
	if cfg.Admin.Token != "" && cfg.Admin.Weights == nil {
		return nil, ErrNoWeightTable
	}
	if s.budget == (app.Budget{}) {
		s.budget = app.DefaultBudget
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.tracer == nil {
		s.tracer = noop.NewTracerProvider().Tracer("gateway")
	}
	if s.propagator == nil {
		s.propagator = propagation.TraceContext{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.route("/healthz", http.MethodGet, s.healthz)
	s.route("/readyz", http.MethodGet, s.readyz)
	s.route("/openapi.json", http.MethodGet, s.openAPI)
	s.route("/users/{id}/recommendations", http.MethodGet, s.recommend)
	s.route("/users/{id}/recommendations/stream", http.MethodGet, s.stream)
	s.route("/feedback", http.MethodPost, s.feedback)
	if s.metrics != nil {
		metricsHandler := s.metrics.Handler()
		s.route(metricsRoute, http.MethodGet, func(w http.ResponseWriter, r *http.Request) error {
			metricsHandler.ServeHTTP(w, r)
			return nil
		})
	}
	if s.admin.Token != "" {
		s.routeMethods("/admin/weights", map[string]handler{http.MethodGet: s.getWeights, http.MethodPut: s.putWeights})
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeProblem(w, problemBody{Type: routeNotFound.typeURI(), Title: routeNotFound.title, Status: routeNotFound.status,
			Detail: "No route matches this path.", Code: routeNotFound.code})
	})
	return s, nil
}

// SetDraining turns /readyz to 503 (SIGTERM): load balancers stop sending new requests while
// the in-flight ones finish.
func (s *Server) SetDraining() { s.draining.Store(true) }

type startKey struct{}

// ServeHTTP answers one request: it notes the arrival time (the budget counts from it),
// continues an incoming W3C trace, turns a panic into a 500 problem, and records the request
// in gateway_request_duration_seconds by its route template (never the raw path).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := s.now()
	if s.metrics != nil {
		recorder := &statusRecorder{ResponseWriter: w}
		w = recorder
		defer func() { s.observe(r, recorder.code(), started) }()
	}
	ctx := context.WithValue(r.Context(), startKey{}, started)
	ctx = s.propagator.Extract(ctx, propagation.HeaderCarrier(r.Header))
	ctx, span := s.tracer.Start(ctx, r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer))
	defer span.End()
	r = r.WithContext(ctx)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // a sentinel re-panicked as is, by the net/http contract
				panic(v)
			}
			writeError(w, r, s.logger, errors.New("panic in handler"))
		}
	}()
	s.mux.ServeHTTP(w, r)
	if r.Pattern != "" {
		span.SetName(r.Pattern)
	}
}

// routeMethods registers several methods on one path and a 405 problem for the others.
func (s *Server) routeMethods(pattern string, handlers map[string]handler) {
	allowed := make([]string, 0, len(handlers))
	for method, h := range handlers {
		allowed = append(allowed, method)
		s.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r); err != nil {
				writeError(w, r, s.logger, err)
			}
		})
	}
	slices.Sort(allowed)
	allow := strings.Join(allowed, ", ")
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", allow)
		writeProblem(w, problemBody{Type: methodNotAllowed.typeURI(), Title: methodNotAllowed.title, Status: methodNotAllowed.status,
			Detail: "Allowed: " + allow + ".", Code: methodNotAllowed.code})
	})
}

type handler func(w http.ResponseWriter, r *http.Request) error

// route registers one method on a path and a 405 problem for the others.
func (s *Server) route(pattern, method string, h handler) {
	s.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.logger, err)
		}
	})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", method)
		writeProblem(w, problemBody{Type: methodNotAllowed.typeURI(), Title: methodNotAllowed.title, Status: methodNotAllowed.status,
			Detail: "Allowed: " + method + ".", Code: methodNotAllowed.code})
	})
}

// callContext is the context of the upstream call: the deadline is what is left of the
// request's budget minus the margin, and the bearer token travels as "authorization"
// metadata. No token or one that does not verify, a bad timeout header or a spent budget is an
// error before any call.
func (s *Server) callContext(r *http.Request) (context.Context, context.CancelFunc, error) {
	auth := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, nil, &edgeError{unauthenticated, "An 'Authorization: Bearer <token>' header is required."}
	}
	// Authenticated before the budget is judged: only a valid token can earn a 504.
	if s.tokens != nil {
		if err := s.tokens.Verify(strings.TrimSpace(token)); err != nil {
			return nil, nil, err
		}
	}
	if err := timeoutHeaderPresentIfSent(r.Header); err != nil {
		return nil, nil, err
	}
	// lab-region:call-deadline begin
	budget, err := s.budget.RequestBudget(r.Header.Get(TimeoutHeader))
	if err != nil {
		return nil, nil, &RequestError{Errors: []FieldError{{TimeoutHeader, err.Error()}}}
	}
	start, ok := r.Context().Value(startKey{}).(time.Time)
	if !ok {
		start = s.now()
	}
	deadline, ok := s.budget.CallDeadline(start, budget, s.now())
	if !ok {
		return nil, nil, &edgeError{deadlineExceeded, "The request budget was spent before the recommender could be called."}
	}
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	// lab-region:call-deadline end
	ctx = metadata.AppendToOutgoingContext(ctx, AuthorizationKey, "Bearer "+strings.TrimSpace(token))
	return ctx, cancel, nil
}

// timeoutHeaderPresentIfSent refuses an X-Request-Timeout-Ms that was sent empty: Header.Get
// reads it as "", which the budget takes for "not sent" (the server's whole budget), but an empty
// value is not a whole number of milliseconds (found by schemathesis).
func timeoutHeaderPresentIfSent(h http.Header) error {
	if values, sent := h[http.CanonicalHeaderKey(TimeoutHeader)]; sent && (len(values) == 0 || strings.TrimSpace(values[0]) == "") {
		return &RequestError{Errors: []FieldError{{TimeoutHeader, app.ErrBadTimeoutHeader.Error()}}}
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is 200 only when the gateway is not draining and at least one upstream with a weight
// above 0 is SERVING, as its background health watcher last heard (no RPC per probe). One
// draining upstream does not take the edge out of rotation: the router skips it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if s.draining.Load() {
		return &edgeError{notReady, "The gateway is draining."}
	}
	if s.readiness != nil && !s.readiness.Ready(r.Context()) {
		return &edgeError{notReady, "No recommender that gets traffic is serving."}
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// recommend is GET /users/{id}/recommendations → Recommend.
func (s *Server) recommend(w http.ResponseWriter, r *http.Request) error {
	query, err := parseQuery(r, true)
	if err != nil {
		return err
	}
	ctx, cancel, err := s.callContext(r)
	if err != nil {
		return err
	}
	defer cancel()
	resp, err := s.client.Recommend(ctx, query.ToProto())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, app.RecommendationsFromProto(resp))
}

// feedback is POST /feedback → RecordFeedback; the key goes in metadata and in the request,
// so the service config may retry the call safely.
func (s *Server) feedback(w http.ResponseWriter, r *http.Request) error {
	if err := readBody(w, r); err != nil {
		return err
	}
	req, err := decodeFeedback(r)
	if err != nil {
		return err
	}
	ctx, cancel, err := s.callContext(r)
	if err != nil {
		return err
	}
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, IdempotencyKey, req.GetIdempotencyKey())
	resp, err := s.client.RecordFeedback(ctx, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, app.FeedbackResultFromProto(resp))
}

// NDJSON is the media type of the stream: one JSON object per line.
const NDJSON = "application/x-ndjson"

// lab-region:stream-handler begin

// streamErrorLine is the last line of a stream that fails after it started: the status is
// already sent, so the envelope travels in the body.
type streamErrorLine struct {
	Error problemBody `json:"error"`
}

// stream is GET /users/{id}/recommendations/stream → StreamRecommendations as NDJSON, one
// flushed line per item. The first item is awaited before the status is sent, so an error
// the recommender answers at once is a normal problem response. A client that goes away
// cancels r.Context(), which cancels the gRPC stream.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	query, err := parseRecommendQuery(r)
	if err != nil {
		return err
	}
	ctx, cancel, err := s.callContext(r)
	if err != nil {
		return err
	}
	defer cancel()
	stream, err := s.client.StreamRecommendations(ctx, query.StreamRequestToProto())
	if err != nil {
		return err
	}
	item, err := stream.Recv()
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	w.Header().Set("Content-Type", NDJSON)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	flusher := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	for item != nil {
		if err := enc.Encode(app.StreamItemFromProto(item)); err != nil {
			return nil // the client is gone; the deferred cancel ends the gRPC stream
		}
		if err := flusher.Flush(); err != nil {
			return nil
		}
		item, err = stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if r.Context().Err() == nil {
				body := envelope(err)
				logFailure(r, s.logger, body.Status, err)
				_ = enc.Encode(streamErrorLine{Error: body})
			}
			return nil
		}
	}
	return nil
}

// lab-region:stream-handler end

func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
	return nil
}
