package ports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Copied, with the gateway's own codes, from the Go catalog's ProblemListener
// (go/services/catalog/internal/ports/listener.go): services do not import each other.
//
// net/http answers a request it cannot parse (an invalid percent-escape such as %zz in the
// path, a malformed header, no Host) before any handler runs, with a fixed text/plain answer
// written straight to the connection, and offers no hook to change it. ProblemListener's
// connections recognise that answer and write the problem+json envelope in its place, so every
// error of the gateway has the same shape.

// cannedHeaders follows the status line of net/http's pre-handler answers, and only those: a
// handler's response always has a Date header, and sorts Connection before Content-Type.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// The pre-handler refusals net/http writes, by status (the document lists their codes).
var (
	badRequest        = problemType{http.StatusBadRequest, "bad_request", "Bad request"}
	headersTooLarge   = problemType{http.StatusRequestHeaderFieldsTooLarge, "headers_too_large", "Request header fields too large"}
	notImplemented    = problemType{http.StatusNotImplemented, "not_implemented", "Not implemented"}
	versionNotSupport = problemType{http.StatusHTTPVersionNotSupported, "http_version_not_supported", "HTTP version not supported"}
	cannedProblems    = map[int]problemType{
		badRequest.status: badRequest, headersTooLarge.status: headersTooLarge,
		notImplemented.status: notImplemented, versionNotSupport.status: versionNotSupport,
	}
)

// ProblemListener wraps ln so that net/http's plain-text refusals become problem+json.
func ProblemListener(ln net.Listener) net.Listener { return problemListener{ln} }

type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &problemConn{Conn: conn}, nil
}

type problemConn struct {
	net.Conn
	once sync.Once
}

// Write passes every write through but net/http's canned refusal, which it writes in one call
// and then closes the connection.
func (c *problemConn) Write(p []byte) (int, error) {
	if replaced, ok := problemForCanned(p); ok {
		var err error
		c.once.Do(func() { _, err = c.Conn.Write(replaced) })
		return len(p), err
	}
	return c.Conn.Write(p)
}

// CloseWrite keeps net/http's half-close working through the wrapper: before it closes a
// connection whose request body it did not read (a 413, a 408), net/http sends FIN and waits, so
// the client reads the answer before a reset.
func (c *problemConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// problemForCanned is the problem+json response for one of net/http's canned refusals.
func problemForCanned(p []byte) ([]byte, bool) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) {
		return nil, false
	}
	lineEnd := bytes.Index(p, []byte("\r\n"))
	if lineEnd < 0 || !bytes.HasPrefix(p[lineEnd:], []byte(cannedHeaders)) {
		return nil, false
	}
	statusLine := string(p[len("HTTP/1.1 "):lineEnd]) // "400 Bad Request: missing required Host header"
	status, err := strconv.Atoi(strings.SplitN(statusLine, " ", 2)[0])
	if err != nil || status < 400 || status > 599 {
		return nil, false
	}
	problem, known := cannedProblems[status]
	if !known { // a refusal net/http does not write today: its status text as the code
		title := http.StatusText(status)
		problem = problemType{status, strings.ReplaceAll(strings.ToLower(title), " ", "_"), title}
	}
	detail := "The request line or a header cannot be parsed."
	if _, reason, ok := strings.Cut(statusLine, ": "); ok {
		detail = "The request cannot be served: " + reason + "."
	}
	body, err := json.Marshal(problemBody{Type: problem.typeURI(), Title: problem.title, Status: status, Detail: detail, Code: problem.code})
	if err != nil {
		return nil, false
	}
	head := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", status, http.StatusText(status), problemJSON, len(body))
	return append([]byte(head), body...), true
}
