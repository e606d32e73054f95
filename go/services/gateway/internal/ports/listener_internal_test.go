package ports

import "testing"

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
