package ports

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"languagetracks.example/go/services/gateway/internal/app"
)

// WeightTable is the routing table the admin API reads and changes (adapters.Router).
type WeightTable interface {
	Weights() app.Weights
	SetWeights(w app.Weights, who string) (app.Weights, error)
}

// AdminConfig turns on GET and PUT /admin/weights. They exist only when Token is set
// (GATEWAY_ADMIN_TOKEN) and answer only "Authorization: Bearer <Token>": the admin token is
// the gateway's own secret, unlike the API's JWTs, which the recommender verifies.
type AdminConfig struct {
	Token   string
	Weights WeightTable
}

// ErrNoWeightTable is returned by NewServer when an admin token is set without a table.
var ErrNoWeightTable = errors.New("ports: AdminConfig.Weights is required with an admin token")

// weightsBody is the body of PUT /admin/weights and the answer of both admin routes.
type weightsBody struct {
	Weights app.Weights `json:"weights"`
}

// adminWho is who a weight change is logged as.
const adminWho = "admin"

// authorizeAdmin accepts exactly "Bearer <admin token>", compared in constant time.
func (s *Server) authorizeAdmin(w http.ResponseWriter, r *http.Request) error {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.admin.Token)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gateway-admin"`)
		return &edgeError{unauthenticated, "The admin routes need 'Authorization: Bearer <GATEWAY_ADMIN_TOKEN>'."}
	}
	return nil
}

// getWeights is GET /admin/weights: {"weights":{"v1":95,"v2":5}}.
func (s *Server) getWeights(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeAdmin(w, r); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, weightsBody{Weights: s.admin.Weights.Weights()})
}

// putWeights is PUT /admin/weights {"weights":{"v1":95,"v2":5}}: whole numbers 0..100 summing
// to 100, known upstream names only (an omitted one gets 0). It answers the new table; the
// change applies to calls that start after it, and is logged.
func (s *Server) putWeights(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeAdmin(w, r); err != nil {
		return err
	}
	if err := readBody(w, r); err != nil {
		return err
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var body weightsBody
	if err := dec.Decode(&body); err != nil {
		return &RequestError{Errors: []FieldError{{"body", weightsBodyMessage(err)}}}
	}
	if dec.More() {
		return &RequestError{Errors: []FieldError{{"body", "must hold one JSON object and nothing after it"}}}
	}
	if body.Weights == nil {
		return &RequestError{Errors: []FieldError{{"weights", `is required: {"weights":{"<upstream>":<0..100>,...}}`}}}
	}
	weights, err := s.admin.Weights.SetWeights(body.Weights, adminWho)
	if err != nil {
		return &RequestError{Errors: []FieldError{{"weights", strings.TrimPrefix(err.Error(), app.ErrWeights.Error()+": ")}}}
	}
	return writeJSON(w, http.StatusOK, weightsBody{Weights: weights})
}

// weightsBodyMessage is bodyMessage, with the one type error a weight can have spelled out.
func weightsBodyMessage(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && strings.HasPrefix(typeErr.Field, "weights") {
		return "weights must map upstream names to whole numbers from 0 to 100"
	}
	return bodyMessage(err)
}
