package ports

import (
	_ "embed" // the OpenAPI document is embedded
	"net/http"
)

// openAPIDocument is the catalogs' one OpenAPI document, served byte for byte at GET
// /openapi.json by both twins. Its source is tooling/contract/catalog.openapi.json; this copy
// sits in the module because go:embed cannot reach outside it, and a test
// (tooling/contract/openapi.test.ts) keeps it byte-equal to the source.
//
//go:embed catalog.openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the embedded document (for tests).
func OpenAPIDocument() []byte { return openAPIDocument }

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPIDocument)
	return nil
}
