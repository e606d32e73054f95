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
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
)

// Postgres is a throw-away PostgreSQL server for one test binary: started by TestMain with
// StartPostgres, stopped by Stop. Each test gets its own database (NewDatabase).
//
// The server is Debian's postgresql package run from a temporary data directory on a free
// port: initdb + pg_ctl, as user postgres (through runuser) when the tests run as root, with
// the socket in the data directory. No Docker engine is needed. When it cannot start (no
// postgresql installed), the tests that need it skip with the reason, unless CI=true: then
// they fail, so a CI machine without PostgreSQL cannot pass by skipping.
type Postgres struct {
	dir     string
	pgCtl   []string
	dsnBase string
	err     error
	next    atomic.Int64
}

// StartPostgres starts the server; its error is kept and reported by Require.
func StartPostgres() *Postgres {
	p := &Postgres{}
	p.err = p.start()
	return p
}

func (p *Postgres) start() error {
	initdb, err := newestInitdb()
	if err != nil {
		return err
	}
	bin := filepath.Dir(initdb)
	dir, err := os.MkdirTemp("", "catalog-pg-")
	if err != nil {
		return err
	}
	p.dir = dir
	var runAs []string
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		account, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root and no user postgres to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(account.Uid)
		gid, _ := strconv.Atoi(account.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return err
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	if err := run(append(runAs, initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")...); err != nil {
		return err
	}
	p.pgCtl = append(runAs, filepath.Join(bin, "pg_ctl"), "-D", data)
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -F", port, dir)
	if err := run(append(slices.Clone(p.pgCtl), "-o", opts, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "30", "start")...); err != nil {
		return err
	}
	p.dsnBase = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/", port)
	return nil
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

// Stop stops the server (fast: the data is thrown away) and removes its directory.
func (p *Postgres) Stop() {
	if p.pgCtl != nil {
		_ = run(append(slices.Clone(p.pgCtl), "-m", "immediate", "-w", "stop")...)
	}
	if p.dir != "" {
		_ = os.RemoveAll(p.dir)
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
