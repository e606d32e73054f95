package ports

import (
	"net"
	"testing"
)

// Only net/http's canned refusals are rewritten: a handler's answer has a Date header and
// another header order, and a body write is not a status line.
func TestProblemForCannedLeavesResponsesAlone(t *testing.T) {
	for _, p := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: x\r\n\r\n{}",
		"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nDate: x\r\n\r\n",
		"HTTP/1.1 100 Continue" + cannedHeaders,
		"{\"body\": 1}",
	} {
		if _, ok := problemForCanned([]byte(p)); ok {
			t.Errorf("%q must pass through", p)
		}
	}
}

// net/http half-closes through the wrapper (it asks the connection for CloseWrite).
func TestProblemConnKeepsCloseWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Close() }()
	conn, err := ProblemListener(ln).Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	cw, ok := conn.(interface{ CloseWrite() error })
	if !ok {
		t.Fatal("the wrapped connection has no CloseWrite")
	}
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if n, err := client.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("after CloseWrite the client read %d bytes, %v; want EOF", n, err)
	}
}
