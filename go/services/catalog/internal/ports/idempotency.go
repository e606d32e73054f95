package ports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
)

// Idempotency-Key on POST /products (the IETF draft "The Idempotency-Key HTTP Header
// Field"): a retry with the same key and the same request gets the first answer again, with
// no second product; the same key with another request is 409 idempotency_conflict.

// idempotencyKeyHeader is the request header's name, also the field a bad key is reported on.
const idempotencyKeyHeader = "Idempotency-Key"

// idempotencyKeyPattern is the gateway's rule for its own Idempotency-Key, shared by both
// catalogs: 8 to 128 URL-safe characters, so a key is printable, loggable and never empty.
var idempotencyKeyPattern = regexp.MustCompile(`^[A-Za-z0-9._~:-]{8,128}$`)

// idempotentCreator is what a keyed create needs; *app.Catalog has it. A separate interface,
// so that ProductService and the tests' fakes of it stay as they are.
type idempotentCreator interface {
	CreateProductOnce(ctx context.Context, req app.IdempotentRequest, render func(domain.Product) (app.StoredAnswer, error)) (app.StoredAnswer, error)
}

// idempotencyKey returns the request's key and whether it sent one; a key breaking the rule
// (empty, sent twice, too long, a character outside the set) is a 422 naming the header.
func idempotencyKey(r *http.Request) (string, bool, error) {
	values := r.Header.Values(idempotencyKeyHeader)
	if len(values) == 0 {
		return "", false, nil
	}
	if len(values) > 1 || !idempotencyKeyPattern.MatchString(values[0]) {
		return "", true, &RequestError{Errors: []FieldError{{
			Field:   idempotencyKeyHeader,
			Message: "must be one value of 8 to 128 characters from A-Z a-z 0-9 . _ ~ : -",
		}}}
	}
	return values[0], true, nil
}

// fingerprint is the SHA-256 of the PARSED request in one canonical JSON form (fixed member
// order, no spaces): a client that re-serializes the same request differently on a retry
// (member order, spacing, escapes) still sends the same request.
func fingerprint(in app.NewProduct) (string, error) {
	canonical, err := json.Marshal(struct {
		SKU   string   `json:"sku"`
		Name  string   `json:"name"`
		Price moneyDTO `json:"price"`
	}{string(in.SKU), string(in.Name), moneyDTO{AmountMinor: in.Price.AmountMinor(), Currency: in.Price.Currency()}})
	if err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}

// renderCreated is the 201 a create answers, as bytes, so that the first answer and every
// replay are byte for byte the same.
func renderCreated(product domain.Product) (app.StoredAnswer, error) {
	body, err := json.Marshal(newProductDTO(product))
	if err != nil {
		return app.StoredAnswer{}, fmt.Errorf("encode product: %w", err)
	}
	return app.StoredAnswer{Status: http.StatusCreated, Location: "/products/" + string(product.ID()), Body: body}, nil
}

// createProductOnce is POST /products with a valid key.
func (s *Server) createProductOnce(w http.ResponseWriter, r *http.Request, key string, in app.NewProduct) error {
	creator, ok := s.products.(idempotentCreator)
	if !ok {
		return fmt.Errorf("%T: %w", s.products, app.ErrNoIdempotencyStore)
	}
	sum, err := fingerprint(in)
	if err != nil {
		return err
	}
	answer, err := creator.CreateProductOnce(r.Context(), app.IdempotentRequest{Key: key, Fingerprint: sum, Product: in}, renderCreated)
	if err != nil {
		return err
	}
	if answer.Location != "" {
		w.Header().Set("Location", answer.Location)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(answer.Status)
	_, _ = w.Write(answer.Body) // the client may be gone; a retry with the key replays it
	return nil
}
