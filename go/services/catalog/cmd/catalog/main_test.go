package main

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestRunBadFlagsIsOneLineAndExit2(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"--port", "nope"}, &stderr); code != exitUsage {
		t.Fatalf("run(--port nope) = %d, want %d", code, exitUsage)
	}
	if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n") + 1; lines != 1 {
		t.Errorf("bad flags must print one line, got %d: %q", lines, stderr.String())
	}
}

func TestRunPortInUseIsExit3(t *testing.T) {
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"--port", port}, &stderr); code != exitBind {
		t.Fatalf("run on a taken port = %d, want %d (%s)", code, exitBind, stderr.String())
	}
}

func TestRunStopsCleanlyWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	if code := run(ctx, []string{"--port", "0"}, &stderr); code != exitOK {
		t.Fatalf("run with a cancelled context = %d, want %d (%s)", code, exitOK, stderr.String())
	}
}
