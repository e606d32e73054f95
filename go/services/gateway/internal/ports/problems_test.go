package ports

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

// TestGRPCCodeMapping is THE table: every gRPC code, its HTTP status and envelope code.
func TestGRPCCodeMapping(t *testing.T) {
	cases := []struct {
		code   codes.Code
		status int
		slug   string
	}{
		{codes.InvalidArgument, http.StatusBadRequest, "invalid_argument"},
		{codes.OutOfRange, http.StatusBadRequest, "out_of_range"},
		{codes.Unauthenticated, http.StatusUnauthorized, "unauthenticated"},
		{codes.PermissionDenied, http.StatusForbidden, "permission_denied"},
		{codes.NotFound, http.StatusNotFound, "not_found"},
		{codes.AlreadyExists, http.StatusConflict, "already_exists"},
		{codes.FailedPrecondition, http.StatusConflict, "failed_precondition"},
		{codes.Aborted, http.StatusConflict, "aborted"},
		{codes.ResourceExhausted, http.StatusTooManyRequests, "resource_exhausted"},
		{codes.DeadlineExceeded, http.StatusGatewayTimeout, "deadline_exceeded"},
		{codes.Unavailable, http.StatusServiceUnavailable, "unavailable"},
		{codes.Canceled, http.StatusBadGateway, "upstream_error"},
		{codes.Unknown, http.StatusBadGateway, "upstream_error"},
		{codes.Unimplemented, http.StatusBadGateway, "upstream_error"},
		{codes.Internal, http.StatusBadGateway, "upstream_error"},
		{codes.DataLoss, http.StatusBadGateway, "upstream_error"},
	}
	for _, tc := range cases {
		t.Run(tc.code.String(), func(t *testing.T) {
			body := envelope(fmt.Errorf("call: %w", status.Error(tc.code, "secret internals")))
			if body.Status != tc.status || body.Code != tc.slug {
				t.Errorf("%v → %d %s; want %d %s", tc.code, body.Status, body.Code, tc.status, tc.slug)
			}
			if body.Type != problemTypeBase+kebab(tc.slug) {
				t.Errorf("type %q does not end in the code", body.Type)
			}
			if body.Status >= 500 && body.Detail == "secret internals" {
				t.Errorf("a %d must not show the upstream's message", body.Status)
			}
		})
	}
	if body := envelope(errors.New("not a status")); body.Status != http.StatusInternalServerError || body.Code != "internal" || body.Detail != internalDetail {
		t.Errorf("a plain error → %+v; want 500 internal", body)
	}
}

func kebab(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c == '_' {
			out[i] = '-'
		}
	}
	return string(out)
}

func withDetails(t *testing.T, code codes.Code, msg string, details ...*errdetails.ErrorInfo) error {
	t.Helper()
	st := status.New(code, msg)
	for _, d := range details {
		var err error
		if st, err = st.WithDetails(d); err != nil {
			t.Fatal(err)
		}
	}
	return st.Err()
}

func TestErrorInfoReasonBecomesTheCode(t *testing.T) {
	cases := []struct {
		name   string
		reason string
		want   string
	}{
		{"upper snake case", "USER_NOT_FOUND", "user_not_found"},
		{"not google.rpc style", "user not found!", "not_found"},
		{"empty", "", "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := withDetails(t, codes.NotFound, "no user u1", &errdetails.ErrorInfo{Reason: tc.reason, Domain: "recommendations.languagetracks.example"})
			body := envelope(err)
			if body.Code != tc.want || body.Status != http.StatusNotFound || body.Detail != "no user u1" {
				t.Errorf("envelope = %+v; want code %s, 404, the status message as detail", body, tc.want)
			}
		})
	}
}

func TestGoldenEnvelopes(t *testing.T) {
	badRequest, err := status.New(codes.InvalidArgument, "limit is out of range").WithDetails(
		&errdetails.ErrorInfo{Reason: "LIMIT_OUT_OF_RANGE", Domain: "recommendations.languagetracks.example"},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "limit", Description: "must be 1-100"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]error{
		"envelope_invalid_argument.json": badRequest.Err(),
		"envelope_unauthenticated.json":  withDetails(t, codes.Unauthenticated, "token expired", &errdetails.ErrorInfo{Reason: "TOKEN_EXPIRED"}),
		"envelope_unavailable.json":      status.Error(codes.Unavailable, "connection refused"),
		"envelope_deadline.json":         status.Error(codes.DeadlineExceeded, "context deadline exceeded"),
		"envelope_internal.json":         status.Error(codes.Internal, "stack trace here"),
		"envelope_request.json":          &RequestError{Errors: []FieldError{{"kind", "must be one of clicked, dismissed, completed"}}},
	}
	for name, err := range cases {
		t.Run(name, func(t *testing.T) {
			out, marshalErr := json.MarshalIndent(envelope(err), "", "  ")
			if marshalErr != nil {
				t.Fatal(marshalErr)
			}
			golden(t, name, append(out, '\n'))
		})
	}
}

// A client that hangs up makes the call fail (CANCELED): that is a 499 of its own, never the
// 502 an upstream failure is, so the availability SLI (5xx) does not count it.
func TestAClientThatWentAwayIs499NotAServerError(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := httptest.NewRequest(http.MethodGet, "/users/u-1/recommendations", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	writeError(rec, gone, logger, status.Error(codes.Canceled, "context canceled"))
	if rec.Code != StatusClientClosedRequest {
		t.Fatalf("client gone: status %d, want 499", rec.Code)
	}
	var body problemBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code != "client_closed_request" || body.Status != 499 {
		t.Errorf("client gone: body %s, want a 499 client_closed_request problem", rec.Body.String())
	}
	// The same CANCELED from the upstream while the client still waits stays the upstream's fault.
	here := httptest.NewRequest(http.MethodGet, "/users/u-1/recommendations", nil)
	rec = httptest.NewRecorder()
	writeError(rec, here, logger, status.Error(codes.Canceled, "the recommender canceled"))
	if rec.Code != http.StatusBadGateway {
		t.Errorf("upstream CANCELED with the client present: status %d, want 502", rec.Code)
	}
}
