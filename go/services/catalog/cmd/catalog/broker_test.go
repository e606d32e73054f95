package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	_ "modernc.org/sqlite" // read the catalog's database file

	"languagetracks.example/go/services/catalog/internal/outbox"
	"languagetracks.example/go/services/catalog/internal/testsupport"
)

func TestBrokerFromEnv(t *testing.T) {
	good := []string{"", "  ", "nats://127.0.0.1:4222", "nats://a:1, nats://b:2", "tls://broker.example:4222", "nats://user:pw@h:4222/"}
	bad := []string{"127.0.0.1:4222", "http://h:4222", "nats://", "nats:///x", "nats://h:4222/path", "nats://h:4222,", "%zz"}
	for _, v := range good {
		if _, err := brokerFromEnv(func(name string) string { return map[string]string{brokerEnv: v}[name] }); err != nil {
			t.Errorf("CATALOG_BROKER_URL=%q: %v, want accepted", v, err)
		}
	}
	for _, v := range bad {
		if _, err := brokerFromEnv(func(name string) string { return map[string]string{brokerEnv: v}[name] }); err == nil {
			t.Errorf("CATALOG_BROKER_URL=%q accepted, want an error", v)
		}
	}
	env := map[string]string{brokerEnv: "nats://127.0.0.1:4222", ackWaitEnv: "1500"}
	if cfg, err := brokerFromEnv(func(name string) string { return env[name] }); err != nil || cfg.AckWait != 1500*time.Millisecond {
		t.Errorf("CATALOG_BROKER_ACK_WAIT_MS=1500 = %+v, %v; want 1.5 s", cfg, err)
	}
	if cfg, err := brokerFromEnv(func(string) string { return "" }); err != nil || cfg.AckWait != outbox.DefaultAckWait {
		t.Errorf("no CATALOG_BROKER_ACK_WAIT_MS = %+v, %v; want the default", cfg, err)
	}
	for _, v := range []string{"0", "-1", "soon"} {
		if _, err := brokerFromEnv(func(name string) string { return map[string]string{ackWaitEnv: v}[name] }); err == nil {
			t.Errorf("CATALOG_BROKER_ACK_WAIT_MS=%q accepted, want an error", v)
		}
	}
}

// A bad or unreachable CATALOG_BROKER_URL is one line naming the variable, and a non-zero
// exit before anything listens: 2 for a malformed value (like the other CATALOG_* settings),
// 1 for a broker that does not answer.
func TestRunBadBrokerIsOneLine(t *testing.T) {
	closedPort := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = ln.Close() }()
		return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	}()
	tests := []struct {
		name, env, ackWait string
		want               int
		wantLine           string
	}{
		{"a bad ack wait", "nats://127.0.0.1:4222", "0", exitUsage, `CATALOG_BROKER_ACK_WAIT_MS="0": must be at least 1`},
		{"malformed", "http://127.0.0.1:4222", "", exitUsage, `CATALOG_BROKER_URL: must be a nats:// URL`},
		{"malformed, the password not shown", "http://u:secret@127.0.0.1:4222", "", exitUsage, `got "http://u:xxxxx@127.0.0.1:4222"`},
		{"unreachable", "nats://127.0.0.1:" + closedPort, "", exitError, "CATALOG_BROKER_URL: cannot connect to the broker at nats://127.0.0.1:" + closedPort},
		{"unreachable, the password not shown", "nats://u:secret@127.0.0.1:" + closedPort, "", exitError, "at nats://u:xxxxx@127.0.0.1:" + closedPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(brokerEnv, tt.env)
			t.Setenv(ackWaitEnv, tt.ackWait)
			var stderr bytes.Buffer
			if code := run(context.Background(), []string{"--port", "0"}, &stderr); code != tt.want {
				t.Fatalf("run with %s=%q = %d, want %d (%s)", brokerEnv, tt.env, code, tt.want, stderr.String())
			}
			out := strings.TrimSpace(stderr.String())
			if strings.Count(out, "\n") != 0 || !strings.Contains(out, tt.wantLine) || strings.Contains(out, "secret") {
				t.Errorf("stderr = %q, want one line saying %q", out, tt.wantLine)
			}
		})
	}
}

// The built catalog with a real broker: 50 products created over HTTP, some while the broker
// is SIGKILLed, are 50 rows of product_feed, each applied once, and SIGTERM still exits 0
// (the NATS connection drained).
func TestCatalogProcessWithJetStream(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the catalog")
	}
	server := testsupport.StartNATSServer(t)
	bin := filepath.Join(t.TempDir(), "catalog")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbFile := filepath.Join(t.TempDir(), "catalog.db")
	port := freePort(t)
	var stderr bytes.Buffer
	// #nosec G204 -- the binary this test just built
	catalog := exec.Command(bin, "--port", port, "--db", "sqlite:"+dbFile)
	catalog.Env = append(os.Environ(), brokerEnv+"="+server.URL)
	catalog.Stderr = &stderr
	if err := catalog.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- catalog.Wait() }()
	t.Cleanup(func() { _ = catalog.Process.Kill() })
	base := "http://127.0.0.1:" + port
	waitFor(t, "the catalog answers", func() bool { return get(t.Context(), base+"/healthz") == http.StatusOK })

	// Half the products are created while the broker is down: the service goes on (201s),
	// the relay keeps their rows pending, and the broker's return delivers them.
	const products = 50
	for i := range products {
		switch i {
		case products / 2:
			server.Kill()
		case products - 5:
			server.Start(t)
		}
		body := fmt.Sprintf(`{"sku": "SKU-%03d", "name": "Mug", "price": {"amount_minor": 1250, "currency": "EUR"}}`, i)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/products", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST product %d = %d, want 201", i, resp.StatusCode)
		}
	}
	waitFor(t, "product_feed has a row per product", func() bool { return len(readFeed(t, dbFile)) == products })

	if err := catalog.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("catalog exited with %v after SIGTERM, want 0\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("catalog did not exit after SIGTERM\n%s", stderr.String())
	}
	for id, applied := range readFeed(t, dbFile) {
		if applied != 1 {
			t.Errorf("product %s applied %d times, want once", id, applied)
		}
	}
	if n := streamMessages(t, server.URL); n != products {
		t.Errorf("the stream holds %d messages, want %d (one per product)", n, products)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func get(ctx context.Context, url string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readFeed reads product_feed from the catalog's SQLite file (WAL: beside the running writer).
func readFeed(t *testing.T, dbFile string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbFile+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	rows, err := db.QueryContext(t.Context(), "SELECT product_id, applied FROM product_feed")
	if err != nil {
		return nil // not migrated yet
	}
	defer func() { _ = rows.Close() }()
	feed := map[string]int{}
	for rows.Next() {
		var id string
		var applied int
		if err := rows.Scan(&id, &applied); err != nil {
			t.Fatal(err)
		}
		feed[id] = applied
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return feed
}

func streamMessages(t *testing.T, url string) uint64 {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(t.Context(), outbox.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}
