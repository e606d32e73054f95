package ports

import (
	_ "embed" // the OpenAPI document is embedded
	"net/http"
)

// openAPIDocument is the gateway's OpenAPI 3.1 document, served byte for byte at GET
// /openapi.json. Its source is tooling/contract/gateway.openapi.json; this copy sits in the
// module because go:embed cannot reach outside it, and tooling/gates/openapi-drift.test.ts keeps
// it byte-equal to the source (the fix is a cp).
//
//go:embed gateway.openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the embedded document (for tests).
func OpenAPIDocument() []byte { return openAPIDocument }

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPIDocument)
	return nil
}
