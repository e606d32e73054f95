package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
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

// --db names the storage like CATALOG_DB and wins over it; a bad value is one line naming its
// source, exit 2, before anything listens.
func TestRunDBFlag(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "flag.db")
	tests := []struct {
		name, env string
		args      []string
		want      int
		wantLine  string // a part of the one stderr line; "" for a clean run
	}{
		{"a bad --db", "", []string{"--db", "mysql://x"}, exitUsage, `--db: must be memory, :memory:, sqlite:<path> or a postgres:// URL, got "mysql://x"`},
		{"an empty --db", "", []string{"--db="}, exitUsage, "--db must not be empty"},
		{"a bad CATALOG_DB without --db", "nope", nil, exitUsage, `CATALOG_DB: must be memory`},
		{"--db wins over a bad CATALOG_DB", "nope", []string{"--db", "memory"}, exitOK, ""},
		{"--db sqlite:<path> opens that file", "memory", []string{"--db", "sqlite:" + dbFile}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CATALOG_DB", tt.env)
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a clean run stops at once
			var stderr bytes.Buffer
			code := run(ctx, append([]string{"--port", "0"}, tt.args...), &stderr)
			if code != tt.want {
				t.Fatalf("run(%q) with CATALOG_DB=%q = %d, want %d (%s)", tt.args, tt.env, code, tt.want, stderr.String())
			}
			if tt.wantLine == "" {
				return
			}
			out := strings.TrimSpace(stderr.String())
			if strings.Count(out, "\n") != 0 || !strings.Contains(out, tt.wantLine) {
				t.Errorf("stderr = %q, want one line saying %q", out, tt.wantLine)
			}
		})
	}
	if _, err := os.Stat(dbFile); err != nil {
		t.Errorf("--db sqlite:%s did not create the file: %v", dbFile, err)
	}
}
