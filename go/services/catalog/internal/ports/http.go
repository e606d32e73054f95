// Package ports holds the catalog's entry points: for now the HTTP API (routes, DTOs, strict
// body decoding, and problems.go, the one place errors become responses). It drives the app
// through ProductService, an interface declared here, beside its consumer.
package ports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"

	"golang.org/x/time/rate"

	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
)

// ProductService is what the HTTP edge needs from the app; *app.Catalog satisfies it, and
// tests pass fakes (e.g. one that fails, to see a 500).
type ProductService interface {
	CreateProduct(ctx context.Context, in app.NewProduct) (domain.Product, error)
	Product(ctx context.Context, id domain.ProductID) (domain.Product, error)
	Products(ctx context.Context) ([]domain.Product, error)
	ReviseProduct(ctx context.Context, id domain.ProductID, name domain.ProductName, price domain.Money) (domain.Product, error)
	DeleteProduct(ctx context.Context, id domain.ProductID) error
}

// ServerConfig is what NewServer needs.
type ServerConfig struct {
	// Products runs the use cases (required).
	Products ProductService
	// Logger receives one line per failed request; nil means slog.Default().
	Logger *slog.Logger
	// Details adds the upstreams' parts to GET /products/{id} (lab 7); nil answers the
	// product alone.
	Details DetailsService
	// RateLimit is the edge's token bucket; the zero value means no limit.
	RateLimit RateLimit
	// Ready says whether GET /readyz answers 200 (lab 9: false while draining on shutdown);
	// nil means always ready.
	Ready func() bool
	// NotReady, when set, replaces Ready: it says why GET /readyz must answer 503, "" when the
	// service may take traffic (lab 10: platform.NotReady — draining, or a dependency down).
	NotReady func(ctx context.Context) string
}

// Server is the catalog's HTTP API, an http.Handler.
type Server struct {
	products ProductService
	logger   *slog.Logger
	mux      *http.ServeMux
	details  DetailsService
	limiter  *rate.Limiter
	ready    func() bool
	notReady func(ctx context.Context) string
}

// ErrNoProductService is returned by NewServer when ServerConfig.Products is nil.
var ErrNoProductService = errors.New("ports: ServerConfig.Products is required")

// NewServer returns the HTTP API over cfg.Products.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.Products == nil {
		return nil, ErrNoProductService
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{products: cfg.Products, logger: logger, mux: http.NewServeMux(), details: cfg.Details, limiter: newLimiter(cfg.RateLimit), ready: cfg.Ready, notReady: cfg.NotReady}
	s.route("/healthz", methods{http.MethodGet: s.healthz})
	s.route("/readyz", methods{http.MethodGet: s.readyz})
	s.route("/openapi.json", methods{http.MethodGet: s.openAPI})
	s.route("/products", methods{http.MethodGet: s.listProducts, http.MethodPost: s.createProduct})
	s.route("/products/{product_id}", methods{http.MethodGet: s.getProduct, http.MethodPut: s.updateProduct, http.MethodDelete: s.deleteProduct})
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w, r) })
	return s, nil
}

// ServeHTTP answers one request. A panic in a handler becomes a 500 problem, never a dropped
// connection; a path that is not in clean form (`//`, `..`) is a 404, not the ServeMux's redirect.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // the documented sentinel panic value
				panic(v)
			}
			writeError(w, r, s.logger, fmt.Errorf("panic: %v", v))
		}
	}()
	if !s.admit(w, r) {
		s.labelRoute(r)
		return
	}
	if p := r.URL.Path; p == "" || path.Clean(p) != p {
		notFound(w, r)
		return
	}
	if !bufferBody(w, r) {
		s.labelRoute(r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// labelRoute gives a request refused before routing (429, 413, 408) the pattern the mux would
// have served it with: the telemetry middleware reads r.Pattern (else it would be "unmatched").
func (s *Server) labelRoute(r *http.Request) {
	_, r.Pattern = s.mux.Handler(r)
}

// handlerFunc is a handler that returns its error instead of writing it: writeError maps every
// error in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// methods is the handler of each method a path offers.
type methods map[string]handlerFunc

// route registers a path with its methods. Any other method is a 405 whose Allow header lists
// every method of the path (HEAD too is 405 unless listed, as in the Python twin).
func (s *Server) route(pattern string, byMethod methods) {
	allow := strings.Join(slices.Sorted(maps.Keys(byMethod)), ", ")
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		handler, ok := byMethod[r.Method]
		if !ok {
			w.Header().Set("Allow", allow)
			writeProblem(w, methodNotAllowed, r.Method+" is not allowed on this path.", nil)
			return
		}
		if err := handler(w, r); err != nil {
			writeError(w, r, s.logger, err)
		}
	})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, routeNotFound, "No route matches "+r.URL.Path+".", nil)
}

// writeJSON writes a success response.
func writeJSON(w http.ResponseWriter, status int, value any) error {
	body, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing useful to do about it
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, statusDTO{Status: "ok"})
}

// readyz is 503 {"status": "not_ready", "reason": ...} once shutdown has begun (lab 9: reason
// "draining"), so a load balancer stops sending traffic while the requests in flight finish,
// and while a dependency cannot answer (lab 10: "database: ..."). The Python catalog's body.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	reason := ""
	switch {
	case s.notReady != nil:
		reason = s.notReady(r.Context())
	case s.ready != nil && !s.ready():
		reason = "draining"
	}
	if reason != "" {
		return writeJSON(w, http.StatusServiceUnavailable, statusDTO{Status: "not_ready", Reason: reason})
	}
	return writeJSON(w, http.StatusOK, statusDTO{Status: "ready"})
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeCreate(r)
	if err != nil {
		return err
	}
	// The body first, then the key: a bad body and a bad key name the body, as in Python.
	key, keyed, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	if keyed {
		return s.createProductOnce(w, r, key, in)
	}
	product, err := s.products.CreateProduct(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/products/"+string(product.ID()))
	return writeJSON(w, http.StatusCreated, newProductDTO(product))
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) error {
	products, err := s.products.Products(r.Context())
	if err != nil {
		return err
	}
	items := make([]productDTO, 0, len(products))
	for _, product := range products {
		items = append(items, newProductDTO(product))
	}
	return writeJSON(w, http.StatusOK, productListDTO{Items: items})
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := domain.ParseProductID(r.PathValue("product_id"))
	if err != nil {
		return err
	}
	product, err := s.products.Product(r.Context(), id)
	if err != nil {
		return err // an unknown id is 404 and no upstream is asked
	}
	if s.details == nil {
		return writeJSON(w, http.StatusOK, newProductDTO(product))
	}
	details := s.details.Fetch(r.Context(), string(product.ID()))
	return writeJSON(w, http.StatusOK, newProductDetailsDTO(product, details))
}

// updateProduct validates the body first: an invalid body is a 422 even for an unknown id.
func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request) error {
	name, price, err := decodeUpdate(r)
	if err != nil {
		return err
	}
	id, err := domain.ParseProductID(r.PathValue("product_id"))
	if err != nil {
		return err
	}
	product, err := s.products.ReviseProduct(r.Context(), id, name, price)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newProductDTO(product))
}

func (s *Server) deleteProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := domain.ParseProductID(r.PathValue("product_id"))
	if err != nil {
		return err
	}
	if err := s.products.DeleteProduct(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
