package ports

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Errors become responses here, and only here, with the catalogs' envelope (RFC 9457
// problem+json, see go/services/catalog/internal/ports/problems.go):
//
//	{"type": "https://language-tracks.example/problems/<slug>", "title": "...",
//	 "status": 503, "detail": "...", "code": "<snake_case>"}
//
// plus "errors": [{"field", "message"}] when fields are at fault. A gRPC status from the
// recommender is mapped ONCE, by grpcProblems; a google.rpc.ErrorInfo detail's reason becomes
// the code (USER_NOT_FOUND → user_not_found) and BadRequest field violations become "errors".

const problemTypeBase = "https://language-tracks.example/problems/"

const problemJSON = "application/problem+json"

// problemType is one kind of problem: its HTTP status, its code and its human title.
type problemType struct {
	status int
	code   string
	title  string
}

// FieldError is one entry of "errors": the field (a JSON name, a query parameter or a
// header) and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// problemBody is the JSON envelope of every error response.
type problemBody struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail"`
	Code   string       `json:"code"`
	Errors []FieldError `json:"errors,omitempty"`
}

var (
	invalidRequest   = problemType{http.StatusBadRequest, "invalid_request", "Invalid request"}
	unauthenticated  = problemType{http.StatusUnauthorized, "unauthenticated", "Unauthenticated"}
	routeNotFound    = problemType{http.StatusNotFound, "not_found", "Not found"}
	methodNotAllowed = problemType{http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed"}
	deadlineExceeded = problemType{http.StatusGatewayTimeout, "deadline_exceeded", "Deadline exceeded"}
	notReady         = problemType{http.StatusServiceUnavailable, "not_ready", "Not ready"}
	upstreamError    = problemType{http.StatusBadGateway, "upstream_error", "Upstream error"}
	internalError    = problemType{http.StatusInternalServerError, "internal", "Internal server error"}
	// clientClosed is nginx's 499: the client went away before the answer. Not a 5xx, so no
	// SLI counts it as the server's error; its own status keeps it apart in the metrics.
	clientClosed = problemType{StatusClientClosedRequest, "client_closed_request", "Client closed request"}
)

// StatusClientClosedRequest is nginx's non-standard 499 (no net/http constant exists).
const StatusClientClosedRequest = 499

// grpcProblems is THE mapping of gRPC codes to HTTP problems; a code not here (OK aside) is
// the upstream's fault: 502 upstream_error.
var grpcProblems = map[codes.Code]problemType{
	codes.InvalidArgument:    {http.StatusBadRequest, "invalid_argument", "Invalid argument"},
	codes.OutOfRange:         {http.StatusBadRequest, "out_of_range", "Out of range"},
	codes.Unauthenticated:    unauthenticated,
	codes.PermissionDenied:   {http.StatusForbidden, "permission_denied", "Permission denied"},
	codes.NotFound:           {http.StatusNotFound, "not_found", "Not found"},
	codes.AlreadyExists:      {http.StatusConflict, "already_exists", "Already exists"},
	codes.FailedPrecondition: {http.StatusConflict, "failed_precondition", "Failed precondition"},
	codes.Aborted:            {http.StatusConflict, "aborted", "Aborted"},
	codes.ResourceExhausted:  {http.StatusTooManyRequests, "resource_exhausted", "Too many requests"},
	codes.DeadlineExceeded:   deadlineExceeded,
	codes.Unavailable:        {http.StatusServiceUnavailable, "unavailable", "Service unavailable"},
}

// Fixed details: a 5xx never shows the upstream's message (it can hold internals).
const (
	internalDetail = "An unexpected error occurred. It has been logged."
	upstreamDetail = "The recommender failed. It has been logged."
	timeoutDetail  = "The request budget ran out before the recommender answered."
	unavailDetail  = "The recommender is unavailable; try again later."
)

// reasonPattern is an ErrorInfo reason as google.rpc asks for it: UPPER_SNAKE_CASE.
var reasonPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,62}[A-Z0-9]$`)

// RequestError says that a request breaks the edge's contract; it maps to 400 invalid_request.
type RequestError struct {
	Errors []FieldError
}

// Error lists the fields.
func (e *RequestError) Error() string {
	fields := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		fields[i] = fe.Field
	}
	return "invalid request: " + strings.Join(fields, ", ")
}

// edgeError is a problem the edge decides itself (no token, budget spent, not ready).
type edgeError struct {
	problem problemType
	detail  string
}

func (e *edgeError) Error() string { return e.problem.code + ": " + e.detail }

// problemFor decides, once for the whole gateway, what an error looks like on the wire.
func problemFor(err error) (problemType, string, []FieldError) {
	var invalid *RequestError
	if errors.As(err, &invalid) {
		return invalidRequest, "The request is not valid; see 'errors' for each field.", invalid.Errors
	}
	var edge *edgeError
	if errors.As(err, &edge) {
		return edge.problem, edge.detail, nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return internalError, internalDetail, nil
	}
	return problemForStatus(st)
}

// problemForStatus maps one gRPC status.
func problemForStatus(st *status.Status) (problemType, string, []FieldError) {
	problem, known := grpcProblems[st.Code()]
	if !known {
		return upstreamError, upstreamDetail, nil
	}
	detail := st.Message()
	switch problem.status {
	case http.StatusGatewayTimeout:
		detail = timeoutDetail
	case http.StatusServiceUnavailable:
		detail = unavailDetail
	}
	var fieldErrors []FieldError
	for _, d := range st.Details() {
		switch info := d.(type) {
		case *errdetails.ErrorInfo:
			if reasonPattern.MatchString(info.GetReason()) {
				problem.code = strings.ToLower(info.GetReason())
			}
		case *errdetails.BadRequest:
			for _, v := range info.GetFieldViolations() {
				fieldErrors = append(fieldErrors, FieldError{Field: v.GetField(), Message: v.GetDescription()})
			}
		}
	}
	return problem, detail, fieldErrors
}

// typeURI is the base plus the code in kebab-case.
func (p problemType) typeURI() string {
	return problemTypeBase + strings.ReplaceAll(p.code, "_", "-")
}

// envelope is the problem+json body for err.
func envelope(err error) problemBody {
	problem, detail, fieldErrors := problemFor(err)
	return problemBody{Type: problem.typeURI(), Title: problem.title, Status: problem.status, Detail: detail, Code: problem.code, Errors: fieldErrors}
}

// writeError writes the problem for err and logs a 5xx with the error, which the client
// never sees: 500/502 (a bug, a broken upstream) as errors, 503/504 (load, budgets) as
// warnings.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	body := envelope(err)
	// The client hung up (its request context is canceled, not timed out by our deadline): the
	// call failed because of that, not because the recommender broke. Nobody reads the answer;
	// the status is for the metrics and the log. A refusal the edge decided itself stands: a
	// body read past its deadline also cancels the context (net/http does, on a read error),
	// and that is a 408, not a client that left.
	var decided *edgeError
	if !errors.As(err, &decided) && errors.Is(r.Context().Err(), context.Canceled) {
		body = envelope(&edgeError{clientClosed, "The client closed the connection before the answer."})
	}
	logFailure(r, logger, body.Status, err)
	writeProblem(w, body)
}

func logFailure(r *http.Request, logger *slog.Logger, status int, err error) {
	level := slog.LevelError
	switch {
	case status < http.StatusInternalServerError:
		return
	case status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		level = slog.LevelWarn
	}
	logger.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "error", err.Error())
}

func writeProblem(w http.ResponseWriter, body problemBody) {
	data, err := json.Marshal(body)
	if err != nil { // cannot happen: strings, an int and FieldErrors
		http.Error(w, internalDetail, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", problemJSON)
	w.WriteHeader(body.Status)
	_, _ = w.Write(append(data, '\n'))
}
