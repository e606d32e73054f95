package testsupport

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// ErrInjectedCommit is what a commit returns while a FailingCommits switch is on.
var ErrInjectedCommit = errors.New("testsupport: injected commit failure")

// FailingCommits switches commit failures of a database opened by OpenFailingCommits.
type FailingCommits struct{ on atomic.Bool }

// Set turns the failure on or off.
func (f *FailingCommits) Set(on bool) { f.on.Store(on) }

// OpenFailingCommits opens dsn with the named, already registered driver (e.g. "sqlite"),
// wrapped so that, while the switch is on, every Commit rolls back and returns
// ErrInjectedCommit: what a real commit failure (lost connection, serialization failure)
// looks like to the unit of work.
func OpenFailingCommits(driverName, dsn string) (*sql.DB, *FailingCommits, error) {
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, nil, err
	}
	inner := probe.Driver()
	if err := probe.Close(); err != nil {
		return nil, nil, err
	}
	sw := &FailingCommits{}
	return sql.OpenDB(connector{dsn: dsn, driver: failDriver{inner: inner, sw: sw}}), sw, nil
}

type connector struct {
	dsn    string
	driver failDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.driver }

type failDriver struct {
	inner driver.Driver
	sw    *FailingCommits
}

func (d failDriver) Open(name string) (driver.Conn, error) {
	conn, err := d.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return failConn{Conn: conn, sw: d.sw}, nil
}

// failConn forwards to the real connection; database/sql runs statements through Prepare.
type failConn struct {
	driver.Conn
	sw *FailingCommits
}

func (c failConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c failConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errors.New("testsupport: the wrapped driver has no BeginTx")
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return failTx{Tx: tx, sw: c.sw}, nil
}

type failTx struct {
	driver.Tx
	sw *FailingCommits
}

func (t failTx) Commit() error {
	if t.sw.on.Load() {
		return errors.Join(ErrInjectedCommit, t.Rollback())
	}
	return t.Tx.Commit()
}
