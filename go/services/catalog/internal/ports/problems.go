package ports

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"languagetracks.example/go/services/catalog/internal/domain"
)

// Errors become RFC 9457 problem+json responses here, and only here. Every error response
// has the same envelope, served as application/problem+json:
//
//	{"type": "https://language-tracks.example/problems/<slug>", "title": "...",
//	 "status": 404, "detail": "...", "code": "<snake_case>"}
//
// plus "errors": [{"field", "message"}] for a 422. Clients branch on code (stable, snake_case);
// title and detail are for humans.

// problemTypeBase is the start of every problem's type URI; the code, in kebab-case, ends it.
const problemTypeBase = "https://language-tracks.example/problems/"

// problemJSON is the media type of every error response.
const problemJSON = "application/problem+json"

// problemType is one kind of problem: its HTTP status, its code and its human title.
type problemType struct {
	status int
	code   string
	title  string
}

// typeURI is the base plus the code in kebab-case: one name, two spellings, never out of sync.
func (p problemType) typeURI() string {
	return problemTypeBase + strings.ReplaceAll(p.code, "_", "-")
}

var (
	validationFailed = problemType{http.StatusUnprocessableEntity, "validation_failed", "Validation failed"}
	routeNotFound    = problemType{http.StatusNotFound, "not_found", "Not found"}
	methodNotAllowed = problemType{http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed"}
	internalError    = problemType{http.StatusInternalServerError, "internal", "Internal server error"}
)

// domainProblems maps the domain's sentinel errors to problems; the first entry whose
// sentinel errors.Is finds in the chain wins. A domain error no entry covers is a bug (500).
var domainProblems = []struct {
	err     error
	problem problemType
}{
	{domain.ErrProductNotFound, problemType{http.StatusNotFound, "product_not_found", "Product not found"}},
	{domain.ErrSKUAlreadyExists, problemType{http.StatusConflict, "sku_already_exists", "SKU already exists"}},
	// Given by the kit (issue 14), not part of lab 6: a key sent again with another request.
	{domain.ErrIdempotencyConflict, problemType{http.StatusConflict, "idempotency_conflict", "Idempotency key reused"}},
}

// internalDetail is the only detail a 500 ever shows: error text can hold secrets, SQL or
// file paths, so it goes to the server log, never to the client.
const internalDetail = "An unexpected error occurred. It has been logged."

// problemBody is the JSON envelope of every error response.
type problemBody struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail"`
	Code   string       `json:"code"`
	Errors []FieldError `json:"errors,omitempty"`
}

// problemFor decides, once for the whole service, what an error looks like on the wire.
func problemFor(err error) (problemType, string, []FieldError) {
	var invalid *RequestError
	if errors.As(err, &invalid) {
		return validationFailed, "The request is not valid; see 'errors' for each field.", invalid.Errors
	}
	for _, entry := range domainProblems {
		if errors.Is(err, entry.err) {
			// Domain messages are written for clients (see domain.ValidationError).
			return entry.problem, err.Error(), nil
		}
	}
	return internalError, internalDetail, nil
}

// writeError writes the problem for err; a 500 is logged with the error, which the client
// never sees.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	problem, detail, fieldErrors := problemFor(err)
	if problem.status == http.StatusInternalServerError {
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	writeProblem(w, problem, detail, fieldErrors)
}

// writeProblem writes one problem+json response.
func writeProblem(w http.ResponseWriter, problem problemType, detail string, fieldErrors []FieldError) {
	body, err := json.Marshal(problemBody{
		Type:   problem.typeURI(),
		Title:  problem.title,
		Status: problem.status,
		Detail: detail,
		Code:   problem.code,
		Errors: fieldErrors,
	})
	if err != nil { // cannot happen: every field is a string, an int or a FieldError
		http.Error(w, internalDetail, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", problemJSON)
	w.WriteHeader(problem.status)
	_, _ = w.Write(body)
}
