package ports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
	"languagetracks.example/go/services/gateway/internal/app"
)

// maxBodyBytes bounds a request body; a feedback event is far smaller.
const maxBodyBytes = 64 << 10

// maxLimit is the most items one call may ask for.
const maxLimit = 100

// languagePattern is a BCP 47 tag as far as the edge checks it: "es", "pt-BR", "zh-Hant".
var languagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// idempotencyKeyPattern is a printable token of 8..128 characters (a UUID fits).
var idempotencyKeyPattern = regexp.MustCompile(`^[A-Za-z0-9._~:-]{8,128}$`)

// parseRecommendQuery reads /users/{id}/recommendations/stream?language=es&limit=5 (and
// exclude, which a stream ignores); max_difficulty is the unary route's (parseQuery).
func parseRecommendQuery(r *http.Request) (app.RecommendQuery, error) {
	return parseQuery(r, false)
}

// parseQuery reads /users/{id}/recommendations?language=es&limit=5&exclude=a,b and, with
// withMaxDifficulty, max_difficulty=beginner|intermediate|advanced (contract v1.1: absent
// means no cap, which is not the same as any value).
func parseQuery(r *http.Request, withMaxDifficulty bool) (app.RecommendQuery, error) {
	var errs []FieldError
	q := r.URL.Query()
	userID := r.PathValue("id")
	if strings.TrimSpace(userID) == "" {
		errs = append(errs, FieldError{"id", "must not be empty"})
	}
	language := q.Get("language")
	switch {
	case language == "":
		errs = append(errs, FieldError{"language", "is required (a BCP 47 tag, e.g. es)"})
	case !languagePattern.MatchString(language):
		errs = append(errs, FieldError{"language", "must be a BCP 47 tag, e.g. es or pt-BR"})
	}
	var limit int32
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil || n < 1 || n > maxLimit {
			errs = append(errs, FieldError{"limit", fmt.Sprintf("must be a whole number from 1 to %d", maxLimit)})
		} else {
			limit = int32(n)
		}
	}
	var exclude []string
	for _, raw := range q["exclude"] {
		for id := range strings.SplitSeq(raw, ",") {
			if id = strings.TrimSpace(id); id != "" {
				exclude = append(exclude, id)
			}
		}
	}
	var maxDifficulty *recv1.Difficulty
	if raw, present := q["max_difficulty"]; withMaxDifficulty && present {
		d, ok := app.DifficultyFromJSON(raw[0])
		if ok && len(raw) == 1 {
			maxDifficulty = d.Enum()
		} else {
			errs = append(errs, FieldError{"max_difficulty", "must be one of beginner, intermediate, advanced (once)"})
		}
	}
	if errs != nil {
		return app.RecommendQuery{}, &RequestError{Errors: errs}
	}
	return app.RecommendQuery{UserID: userID, Language: language, Limit: limit, ExcludeItemIDs: exclude, MaxDifficulty: maxDifficulty}, nil
}

// feedbackBody has pointers so a missing field is told apart from an empty one.
type feedbackBody struct {
	UserID *string `json:"user_id"`
	ItemID *string `json:"item_id"`
	Kind   *string `json:"kind"`
}

// decodeFeedback reads POST /feedback: the Idempotency-Key header and a strict JSON body
// {"user_id", "item_id", "kind"}; bad JSON, an unknown field, a missing or empty field, or
// trailing data are a 400.
func decodeFeedback(r *http.Request) (*recv1.RecordFeedbackRequest, error) {
	var errs []FieldError
	key := r.Header.Get("Idempotency-Key")
	switch {
	case key == "":
		errs = append(errs, FieldError{"Idempotency-Key", "header is required (e.g. a UUID); a retry with the same key has one effect"})
	case !idempotencyKeyPattern.MatchString(key):
		errs = append(errs, FieldError{"Idempotency-Key", "must be 8 to 128 characters from A-Z a-z 0-9 . _ ~ : -"})
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	var body feedbackBody
	if err := dec.Decode(&body); err != nil {
		return nil, &RequestError{Errors: append(errs, FieldError{"body", bodyMessage(err)})}
	}
	if dec.More() {
		return nil, &RequestError{Errors: append(errs, FieldError{"body", "must hold one JSON object and nothing after it"})}
	}
	required := func(name string, v *string) string {
		switch {
		case v == nil:
			errs = append(errs, FieldError{name, "is required"})
		case strings.TrimSpace(*v) == "":
			errs = append(errs, FieldError{name, "must not be empty"})
		default:
			return *v
		}
		return ""
	}
	dto := app.FeedbackDTO{UserID: required("user_id", body.UserID), ItemID: required("item_id", body.ItemID), Kind: required("kind", body.Kind)}
	kind, ok := app.FeedbackKindFromJSON(dto.Kind)
	if dto.Kind != "" && !ok {
		errs = append(errs, FieldError{"kind", "must be one of clicked, dismissed, completed"})
	}
	if errs != nil {
		return nil, &RequestError{Errors: errs}
	}
	return app.FeedbackToProto(key, dto, kind), nil
}

// bodyMessage says what is wrong with a body that does not decode, without echoing it.
func bodyMessage(err error) string {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "is required: a JSON object"
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return "is not valid JSON"
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return "must be a JSON object"
	case errors.As(err, &typeErr):
		return fmt.Sprintf("field %s has the wrong type", typeErr.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "has an unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		return "must be a JSON object"
	}
}
