package ports

import (
	"errors"

	"github.com/golang-jwt/jwt/v5"
)

// TokenSettings are the recommender's JWT settings (RECOMMENDER_JWT_*): the edge verifies a
// bearer token with the same secret, issuer and audience before it spends anything on it.
type TokenSettings struct {
	Secret   []byte
	Issuer   string
	Audience string
}

// TokenVerifier checks a bearer token at the edge, BEFORE the request budget is judged: a
// request with a forged or stale token is a 401 whatever its X-Request-Timeout-Ms, so no
// client without a valid token can turn the gateway's 504s (its error budget) on. The
// recommender verifies again, per method and per user (the edge only rejects early; a call
// that bypasses the gateway meets the same check there).
type TokenVerifier struct {
	secret []byte
	parser *jwt.Parser
}

// NewTokenVerifier accepts HS256 only (the algorithm comes from configuration, never from the
// token) and requires exp, iss, aud and sub, as the recommender does.
func NewTokenVerifier(s TokenSettings) *TokenVerifier {
	return &TokenVerifier{
		secret: s.Secret,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(s.Issuer),
			jwt.WithAudience(s.Audience),
			jwt.WithExpirationRequired(), // no leeway: the default, as the recommender's
		),
	}
}

var (
	tokenInvalid = problemType{401, "token_invalid", "Unauthenticated"}
	tokenExpired = problemType{401, "token_expired", "Unauthenticated"}
)

// Verify returns nil for a token the recommender would accept, else the 401 edgeError with the
// recommender's envelope code (token_expired, or token_invalid).
func (v *TokenVerifier) Verify(token string) error {
	claims := jwt.RegisteredClaims{}
	_, err := v.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return v.secret, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return &edgeError{tokenExpired, "The token has expired."}
	case err != nil:
		return &edgeError{tokenInvalid, "The token does not verify."}
	case claims.Subject == "":
		return &edgeError{tokenInvalid, "The token has no subject."}
	}
	return nil
}
