package ports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// bodyTimeout bounds how long a request body may take to arrive once the head is in (the
// head itself: the server's ReadHeaderTimeout). The Python twin's BODY_TIMEOUT_S.
var bodyTimeout = 10 * time.Second // a var so that a test can shorten it

// Before a 413 the rest of the body is read and dropped for a while, at most lingerBytes within
// lingerTimeout (a lingering close, as nginx and the Python catalog do): closing a connection
// with unread data resets it, and a client still writing its body would read the reset instead
// of the 413. Nothing is kept, so memory stays bounded.
const (
	lingerBytes   = 64 << 20
	lingerTimeout = 2 * time.Second
)

// linger drops what is left of body, bounded in bytes and time. Its errors are not returned on
// purpose: the 413 is the answer whatever the rest of the body does (a client that stops or
// hangs up mid-body just ends the drain early).
func linger(rc *http.ResponseController, body io.Reader) {
	_ = rc.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.Copy(io.Discard, io.LimitReader(body, lingerBytes))
}

var (
	payloadTooLarge = problemType{http.StatusRequestEntityTooLarge, "payload_too_large", "Payload too large"}
	requestTimeout  = problemType{http.StatusRequestTimeout, "request_timeout", "Request timeout"}
	// clientClosed is nginx's 499, as at the gateway: the client left mid-body. Nobody reads
	// it; it keeps the request out of the server-error series (not a 5xx, not a 200).
	clientClosed = problemType{499, "client_closed_request", "Client closed request"}
)

// bufferBody reads a request's body before it is routed, as the Python twin's BodyLimit does:
// a declared Content-Length over maxBodyBytes is a 413 without reading; a body that grows past
// it is a 413 as soon as it does (at most maxBodyBytes+1 bytes are ever held); a body that is
// not in within bodyTimeout is a 408. Both close the connection (the rest is never read).
// It reports whether the request may go on, its body now in memory.
func bufferBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	rc := http.NewResponseController(w)
	if r.ContentLength > maxBodyBytes {
		linger(rc, r.Body)
		refuse(w, payloadTooLarge, fmt.Sprintf("The request body must be at most %d bytes.", maxBodyBytes))
		return false
	}
	// Not every ResponseWriter supports deadlines (a test recorder does not): then no timeout.
	_ = rc.SetReadDeadline(time.Now().Add(bodyTimeout))
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		refuse(w, requestTimeout, fmt.Sprintf("The request body did not arrive within %s.", bodyTimeout))
		return false
	case err != nil:
		refuse(w, clientClosed, "The client closed the connection before the body was in.")
		return false
	case len(data) > maxBodyBytes:
		linger(rc, r.Body)
		refuse(w, payloadTooLarge, fmt.Sprintf("The request body must be at most %d bytes.", maxBodyBytes))
		return false
	}
	// Only a body read in full lifts the deadline: after a refusal the server must not wait
	// on the rest of the body (it would try to drain it before closing).
	_ = rc.SetReadDeadline(time.Time{})
	r.Body = io.NopCloser(bytes.NewReader(data))
	return true
}

func refuse(w http.ResponseWriter, problem problemType, detail string) {
	w.Header().Set("Connection", "close")
	writeProblem(w, problem, detail, nil)
}
