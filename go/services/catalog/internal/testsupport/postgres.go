package testsupport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
)

// Postgres is a throw-away PostgreSQL server for one test binary: started by TestMain with
// StartPostgres, stopped by Stop. Each test gets its own database (NewDatabase).
//
// Where a Docker engine answers, the server is a container started through testcontainers-go
// (postgres:16-alpine, the Python catalog's image; pgcontainer.go). Otherwise, or when the
// container does not start, it is Debian's postgresql package run from a temporary data
// directory on a free port: initdb + pg_ctl, as user postgres (through runuser) when the tests
// run as root, with the socket in the data directory. CI has no engine and takes the second
// path. When neither starts, the tests that need it skip with the reasons, unless CI=true:
// then they fail, so a CI machine without PostgreSQL cannot pass by skipping.
type Postgres struct {
	// How says which server runs: "testcontainers (postgres:16-alpine)" or "local postgres".
	How     string
	dsnBase string
	stop    func()
	err     error
	next    atomic.Int64
}

// server is a started PostgreSQL: the DSN of its root ("postgres://user@host:port/", a
// database name is appended) and how to stop it.
type server struct {
	dsnBase string
	stop    func()
}

// starters are the ways to get a server, injected so that the choice between them is tested
// without an engine (postgres_test.go).
type starters struct {
	// engine returns nil when a Docker engine answers.
	engine    func(ctx context.Context) error
	container func(ctx context.Context) (server, error)
	local     func(ctx context.Context) (server, error)
}

// StartPostgres starts the server; its error is kept and reported by Require.
func StartPostgres() *Postgres {
	return startWith(context.Background(), starters{engine: dockerEngine, container: startContainer, local: startLocal})
}

// How the server was started, as Postgres.How says it.
const (
	howContainer = "testcontainers (" + containerImage + ")"
	howLocal     = "local postgres"
)

// startWith takes the container path when the engine answers, else (or when the container
// fails) the local one; the error, when both fail, carries every reason.
func startWith(ctx context.Context, s starters) *Postgres {
	var reasons []error
	if err := s.engine(ctx); err != nil {
		reasons = append(reasons, fmt.Errorf("no Docker engine (%w)", err))
	} else {
		srv, err := s.container(ctx)
		if err == nil {
			return &Postgres{How: howContainer, dsnBase: srv.dsnBase, stop: srv.stop}
		}
		reasons = append(reasons, fmt.Errorf("testcontainers failed: %w", err))
	}
	srv, err := s.local(ctx)
	if err != nil {
		return &Postgres{err: errors.Join(append(reasons, fmt.Errorf("local postgres: %w", err))...)}
	}
	return &Postgres{How: howLocal, dsnBase: srv.dsnBase, stop: srv.stop}
}

// dockerEngine dials the engine's socket (DOCKER_HOST, default /var/run/docker.sock) like the
// Python catalog's conftest: a cheap answer, before any testcontainers work. A remote
// (non-unix) DOCKER_HOST counts as answering: testcontainers then tries it, and falls back.
func dockerEngine(ctx context.Context) error {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	path, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		return nil
	}
	dialer := net.Dialer{Timeout: time.Second}
	conn, err := dialer.DialContext(ctx, "unix", path)
	if err != nil {
		return err
	}
	return conn.Close()
}

// startLocal runs Debian's PostgreSQL from a temporary directory on a free port.
func startLocal(context.Context) (srv server, err error) {
	initdb, err := newestInitdb()
	if err != nil {
		return server{}, err
	}
	bin := filepath.Dir(initdb)
	dir, err := os.MkdirTemp("", "catalog-pg-")
	if err != nil {
		return server{}, err
	}
	var pgCtl []string
	stop := func() {
		if pgCtl != nil {
			_ = run(append(slices.Clone(pgCtl), "-m", "immediate", "-w", "stop")...)
		}
		_ = os.RemoveAll(dir)
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()
	var runAs []string
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		account, err := user.Lookup("postgres")
		if err != nil {
			return server{}, fmt.Errorf("running as root and no user postgres to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(account.Uid)
		gid, _ := strconv.Atoi(account.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return server{}, err
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	port, err := freePort()
	if err != nil {
		return server{}, err
	}
	data := filepath.Join(dir, "data")
	if err := run(append(runAs, initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")...); err != nil {
		return server{}, err
	}
	ctl := append(runAs, filepath.Join(bin, "pg_ctl"), "-D", data)
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -F", port, dir)
	if err := run(append(slices.Clone(ctl), "-o", opts, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "30", "start")...); err != nil {
		return server{}, err
	}
	pgCtl = ctl
	return server{dsnBase: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/", port), stop: stop}, nil
}

func newestInitdb() (string, error) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		return "", errors.New("no /usr/lib/postgresql/*/bin/initdb (apt-get install -y postgresql)")
	}
	slices.SortFunc(found, func(a, b string) int { return version(a) - version(b) })
	return found[len(found)-1], nil
}

func version(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return port, ln.Close()
}

func run(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...) // #nosec G204 -- test support: PostgreSQL's own tools (initdb, pg_ctl, runuser)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(args[len(args)-1]), err, out)
	}
	return nil
}

// Stop stops the server (fast: the data is thrown away) and removes what it left.
func (p *Postgres) Stop() {
	if p.stop != nil {
		p.stop()
	}
}

// Require skips the test when the server did not start, or fails it when CI=true.
func (p *Postgres) Require(t testing.TB) {
	t.Helper()
	if p.err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is required when CI=true: %v", p.err)
		return // unreachable with a real testing.T; a fake one (postgres_test.go) returns
	}
	t.Skipf("PostgreSQL unavailable, skipping: %v", p.err)
}

// NewDatabase creates an empty database for one test and returns its DSN (for pgx).
func (p *Postgres) NewDatabase(t testing.TB) string {
	t.Helper()
	p.Require(t)
	name := fmt.Sprintf("t%d", p.next.Add(1))
	admin, err := sql.Open("pgx", p.dsnBase+"postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close() }()
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	return p.dsnBase + name + "?sslmode=disable"
}
