package testsupport

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSServer is a real nats-server with JetStream for one test: on 127.0.0.1, a free port and
// a file store in the test's temporary directory. Kill and Start (again) simulate a broker
// crash: same port, same store, so what JetStream acknowledged must still be there.
type NATSServer struct {
	URL      string
	bin      string
	port     int
	storeDir string
	logFile  string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// natsReady is how long a started server may take to accept clients with JetStream.
const natsReady = 15 * time.Second

// StartNATSServer starts the server and stops it in t.Cleanup. The binary is $NATS_SERVER,
// else <repo root>/.tools/bin/nats-server (npm run bootstrap puts it there), else
// nats-server on PATH. When there is none the test skips with the reason, unless CI=true:
// then it fails, so a CI machine without the broker cannot pass by skipping.
func StartNATSServer(t testing.TB) *NATSServer {
	t.Helper()
	bin, err := findNATSServer()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nats-server is required when CI=true: %v", err)
			return nil // unreachable with a real testing.T; a fake one (natsserver_test.go) returns
		}
		t.Skipf("nats-server unavailable, skipping: %v", err)
		return nil // likewise
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &NATSServer{
		URL:      fmt.Sprintf("nats://127.0.0.1:%d", port),
		bin:      bin,
		port:     port,
		storeDir: filepath.Join(dir, "store"),
		logFile:  filepath.Join(dir, "nats-server.log"),
	}
	t.Cleanup(s.Stop)
	s.Start(t)
	return s
}

func findNATSServer() (string, error) {
	if bin := os.Getenv("NATS_SERVER"); bin != "" {
		if _, err := os.Stat(bin); err != nil { // #nosec G703 -- test support: the developer names their own nats-server
			return "", fmt.Errorf("NATS_SERVER=%s: %w", bin, err)
		}
		return bin, nil
	}
	if root, err := repoRoot(); err == nil {
		bin := filepath.Join(root, ".tools", "bin", "nats-server")
		if _, err := os.Stat(bin); err == nil {
			return bin, nil
		}
	}
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		return "", errors.New("no $NATS_SERVER, no .tools/bin/nats-server (npm run bootstrap) and none on PATH")
	}
	return bin, nil
}

// repoRoot is the nearest parent of the working directory holding pnpm-workspace.yaml.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "pnpm-workspace.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no pnpm-workspace.yaml above the working directory")
		}
		dir = parent
	}
}

// Start runs the server (again, after Kill) on its port and store, and waits until it
// accepts clients with JetStream.
func (s *NATSServer) Start(t testing.TB) {
	t.Helper()
	logFile, err := os.OpenFile(s.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = logFile.Close() }() // the child has its own descriptor
	// #nosec G204 -- test support: the nats-server binary found above, fixed arguments
	cmd := exec.Command(s.bin, "-js", "-a", "127.0.0.1", "-p", strconv.Itoa(s.port), "-sd", s.storeDir)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nats-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	if err := s.waitReady(); err != nil {
		log, _ := os.ReadFile(s.logFile)
		t.Fatalf("nats-server on port %d not ready: %v\n%s", s.port, err, log)
	}
}

func (s *NATSServer) waitReady() error {
	deadline := time.Now().Add(natsReady)
	for {
		err := s.jetStreamAnswers()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return errors.New("the server exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *NATSServer) jetStreamAnswers() error {
	nc, err := nats.Connect(s.URL, nats.Timeout(time.Second))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = js.AccountInfo(ctx)
	return err
}

// Kill ends the server with SIGKILL (no flush, no goodbye) and waits for it to exit.
func (s *NATSServer) Kill() { s.signal(syscall.SIGKILL) }

// Stop ends the server with SIGTERM (SIGKILL after 5 s) and waits; it is safe to call twice.
func (s *NATSServer) Stop() {
	s.signal(syscall.SIGTERM)
}

func (s *NATSServer) signal(sig syscall.Signal) {
	if s.cmd == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}
