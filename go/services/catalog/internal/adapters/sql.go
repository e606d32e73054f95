package adapters

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver (pure Go)

	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
	"languagetracks.example/go/services/catalog/internal/outbox"
	"languagetracks.example/go/services/catalog/internal/storage/migrations"
)

// Dialects of SQLStore: the SQL differs in placeholders and in row locking only.
const (
	DialectSQLite   = migrations.SQLite
	DialectPostgres = migrations.Postgres
)

// SQLStore is the catalog's storage over database/sql: the same code for SQLite and
// PostgreSQL, one *sql.Tx per unit of work (unit_of_work.go). It satisfies app.UnitOfWork,
// outbox.RelayStore and outbox.InboxStore.
type SQLStore struct {
	db      *sql.DB
	dialect *sqlDialect
}

// sqlDialect is the SQL one database speaks: its name (placeholders, row locking) and the
// statement of the hot read, GET /products/{id}, prepared once per store rather than parsed on
// every request (the parse was half of the read's CPU with SQLite). database/sql re-prepares it
// on a connection that lacks it; a transaction uses it through Tx.StmtContext.
type sqlDialect struct {
	name string
	// getProduct is nil when the driver could not prepare it: Get then sends the query text.
	getProduct *sql.Stmt
}

const getProductQuery = "SELECT " + productColumns + " FROM products WHERE id = ?"

// ErrBadDSN is returned by Open for a storage spec (CATALOG_DB or --db) it does not understand.
var ErrBadDSN = errors.New("must be memory, :memory:, sqlite:<path> or a postgres:// URL")

// Store is what Open returns: the ports of every adapter, and Close.
type Store interface {
	app.UnitOfWork
	outbox.RelayStore
	outbox.InboxStore
	// OutboxLag counts the outbox messages not yet relayed, up to limit (the
	// catalog_outbox_lag_messages gauge, read at scrape time).
	OutboxLag(ctx context.Context, limit int) (int, error)
	// ProductFeed reads product_feed, the product-feed consumer's effect (product id ->
	// applied): exactly one per committed product is what the kill-loop tests prove.
	ProductFeed(ctx context.Context) (map[string]int, error)
	Close() error
}

// Open opens the store a CATALOG_DB value names, and applies the migrations:
//
//	""  or ":memory:"      SQLite in memory (the default: nothing is left on disk)
//	sqlite:<path>          SQLite in a file, created if missing (WAL mode)
//	postgres://...         PostgreSQL through pgx (also postgresql://)
//	memory                 the in-memory adapter (no SQL at all)
func Open(ctx context.Context, spec string) (Store, error) {
	switch {
	case spec == "memory":
		return memoryCloser{NewMemoryProductRepository()}, nil
	case spec == "" || spec == ":memory:" || spec == "sqlite::memory:":
		return OpenSQLite(ctx, ":memory:")
	case strings.HasPrefix(spec, "sqlite:"):
		return OpenSQLite(ctx, strings.TrimPrefix(spec, "sqlite:"))
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return OpenPostgres(ctx, spec)
	default:
		return nil, fmt.Errorf("%w, got %q", ErrBadDSN, spec)
	}
}

type memoryCloser struct{ *MemoryProductRepository }

func (memoryCloser) Close() error { return nil }

// OpenSQLite opens (creating it if needed) the SQLite database at path, or an in-memory one
// for ":memory:", and applies the migrations.
func OpenSQLite(ctx context.Context, path string) (*SQLStore, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty sqlite path", ErrBadDSN)
	}
	pragmas := "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"
	dsn := "file:" + path + "?" + pragmas
	if path != ":memory:" {
		dsn += "&_pragma=journal_mode(WAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if path == ":memory:" {
		// Each connection to ":memory:" is its own empty database: keep exactly one, and never
		// let the pool close it (that would drop the data).
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
	} else {
		setPool(db, sqliteFilePool)
	}
	return NewSQLStore(ctx, db, DialectSQLite)
}

// Pool sizes. database/sql keeps only 2 idle connections by default, so under more concurrent
// requests than that every extra request opens (and closes) a connection: for SQLite that is a
// file open plus the pragmas, for PostgreSQL a TCP + auth handshake. Keeping as many idle as
// open removes that churn; the bound keeps a load spike from exhausting the server (PostgreSQL's
// max_connections defaults to 100, shared by every replica) or, for SQLite, from queueing
// writers on the file lock (WAL: readers do not block, one writer at a time).
var (
	sqliteFilePool = pool{open: 8, idleTime: 5 * time.Minute}
	postgresPool   = pool{open: 16, idleTime: 5 * time.Minute}
)

type pool struct {
	open     int
	idleTime time.Duration
}

func setPool(db *sql.DB, p pool) {
	db.SetMaxOpenConns(p.open)
	db.SetMaxIdleConns(p.open)
	db.SetConnMaxIdleTime(p.idleTime)
}

// OpenPostgres connects to PostgreSQL through pgx's database/sql driver and applies the
// migrations.
func OpenPostgres(ctx context.Context, dsn string) (*SQLStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	setPool(db, postgresPool)
	return NewSQLStore(ctx, db, DialectPostgres)
}

// NewSQLStore returns a store over db (which it closes on Close) after applying the dialect's
// migrations. Tests pass a db over a fake driver.
func NewSQLStore(ctx context.Context, db *sql.DB, dialect string) (*SQLStore, error) {
	if _, err := migrations.Apply(ctx, db, dialect); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	d := &sqlDialect{name: dialect}
	if stmt, err := db.PrepareContext(ctx, (&sqlTx{dialect: d}).q(getProductQuery)); err == nil {
		d.getProduct = stmt
	}
	return &SQLStore{db: db, dialect: d}, nil
}

// Close closes the prepared statement and the database.
func (s *SQLStore) Close() error {
	var err error
	if s.dialect.getProduct != nil {
		err = s.dialect.getProduct.Close()
	}
	return errors.Join(err, s.db.Close())
}

// OutboxLag counts the messages not yet relayed, up to limit. A plain read outside any relay
// transaction: unlike Pending it locks no row, so a scrape never makes a relay skip a message.
func (s *SQLStore) OutboxLag(ctx context.Context, limit int) (int, error) {
	query := (&sqlTx{dialect: s.dialect}).q("SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT ?) AS pending")
	var n int
	if err := s.db.QueryRowContext(ctx, query, limit).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox lag: %w", err)
	}
	return n, nil
}

// DB is the underlying pool (for health checks and tests).
func (s *SQLStore) DB() *sql.DB { return s.db }

// sqlTx is one unit of work's transaction: every port's methods at once.
type sqlTx struct {
	tx      *sql.Tx
	dialect *sqlDialect
}

func (t *sqlTx) Products() app.ProductRepository { return t }
func (t *sqlTx) Outbox() app.OutboxWriter        { return t }

// q writes the query for the dialect: PostgreSQL numbers its placeholders ($1, $2, ...).
func (t *sqlTx) q(query string) string {
	if t.dialect.name != DialectPostgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (t *sqlTx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	result, err := t.tx.ExecContext(ctx, t.q(query), args...)
	if err != nil {
		return 0, err
	}
	return result.RowsAffected()
}

const productColumns = "id, sku, name, amount_minor, currency"

func (t *sqlTx) Add(ctx context.Context, product domain.Product) error {
	price := product.Price()
	n, err := t.exec(ctx, "INSERT INTO products ("+productColumns+") VALUES (?, ?, ?, ?, ?) ON CONFLICT (sku) DO NOTHING",
		string(product.ID()), string(product.SKU()), string(product.Name()), price.AmountMinor(), price.Currency())
	if err != nil {
		return fmt.Errorf("insert product: %w", err)
	}
	if n == 0 {
		return domain.SKUAlreadyExists(product.SKU())
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanProduct(row scanner) (domain.Product, error) {
	var id, sku, name, currency string
	var amount int64
	if err := row.Scan(&id, &sku, &name, &amount, &currency); err != nil {
		return domain.Product{}, err
	}
	price, err := domain.NewMoney(amount, currency)
	if err != nil {
		return domain.Product{}, fmt.Errorf("stored product %s: %w", id, err)
	}
	return domain.NewProduct(domain.ProductID(id), domain.SKU(sku), domain.ProductName(name), price), nil
}

func (t *sqlTx) Get(ctx context.Context, id domain.ProductID) (domain.Product, error) {
	var row *sql.Row
	if t.dialect.getProduct != nil {
		row = t.tx.StmtContext(ctx, t.dialect.getProduct).QueryRowContext(ctx, string(id))
	} else {
		row = t.tx.QueryRowContext(ctx, t.q(getProductQuery), string(id))
	}
	product, err := scanProduct(row)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Product{}, domain.ProductNotFound(id)
	}
	if err != nil {
		return domain.Product{}, fmt.Errorf("get product: %w", err)
	}
	return product, nil
}

func (t *sqlTx) List(ctx context.Context) (products []domain.Product, err error) {
	rows, err := t.tx.QueryContext(ctx, "SELECT "+productColumns+" FROM products ORDER BY sku")
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	products = []domain.Product{}
	for rows.Next() {
		product, err := scanProduct(rows)
		if err != nil {
			return nil, fmt.Errorf("list products: %w", err)
		}
		products = append(products, product)
	}
	return products, rows.Err()
}

func (t *sqlTx) Update(ctx context.Context, product domain.Product) error {
	price := product.Price()
	n, err := t.exec(ctx, "UPDATE products SET name = ?, amount_minor = ?, currency = ? WHERE id = ?",
		string(product.Name()), price.AmountMinor(), price.Currency(), string(product.ID()))
	if err != nil {
		return fmt.Errorf("update product: %w", err)
	}
	if n == 0 {
		return domain.ProductNotFound(product.ID())
	}
	return nil
}

func (t *sqlTx) Remove(ctx context.Context, id domain.ProductID) error {
	n, err := t.exec(ctx, "DELETE FROM products WHERE id = ?", string(id))
	if err != nil {
		return fmt.Errorf("delete product: %w", err)
	}
	if n == 0 {
		return domain.ProductNotFound(id)
	}
	return nil
}

// Append writes the outbox row with the transaction's other changes.
func (t *sqlTx) Append(ctx context.Context, message outbox.Message) error {
	if _, err := t.exec(ctx, "INSERT INTO outbox (id, topic, payload) VALUES (?, ?, ?)",
		message.ID, message.Topic, string(message.Payload)); err != nil {
		return fmt.Errorf("append to outbox: %w", err)
	}
	return nil
}

// Pending reads the oldest unsent messages. PostgreSQL locks them FOR UPDATE SKIP LOCKED, so
// a second relay takes the next batch instead of waiting or publishing the same one; SQLite
// has one writer at a time (the transaction began IMMEDIATE), which serializes relays.
func (t *sqlTx) Pending(ctx context.Context, limit int) (messages []outbox.Message, err error) {
	query := "SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?"
	if t.dialect.name == DialectPostgres {
		query += " FOR UPDATE SKIP LOCKED"
	}
	rows, err := t.tx.QueryContext(ctx, t.q(query), limit)
	if err != nil {
		return nil, fmt.Errorf("pending outbox: %w", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	for rows.Next() {
		var m outbox.Message
		var payload string
		if err := rows.Scan(&m.ID, &m.Topic, &payload); err != nil {
			return nil, fmt.Errorf("pending outbox: %w", err)
		}
		m.Payload = []byte(payload)
		messages = append(messages, m)
	}
	return messages, rows.Err()
}

// MarkSent stamps the message sent.
func (t *sqlTx) MarkSent(ctx context.Context, id string) error {
	now := "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
	if t.dialect.name == DialectPostgres {
		now = "now()"
	}
	if _, err := t.exec(ctx, "UPDATE outbox SET sent_at = "+now+" WHERE id = ?", id); err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// MarkProcessed records (consumer, message) once; false if it was there already.
func (t *sqlTx) MarkProcessed(ctx context.Context, consumer, messageID string) (bool, error) {
	n, err := t.exec(ctx, "INSERT INTO processed_messages (consumer, message_id) VALUES (?, ?) ON CONFLICT DO NOTHING", consumer, messageID)
	if err != nil {
		return false, fmt.Errorf("mark processed: %w", err)
	}
	return n == 1, nil
}

// ApplyToProductFeed counts one more application of the product's creation. The upsert is
// one statement in both dialects (SQLite >= 3.24 and PostgreSQL share ON CONFLICT).
func (t *sqlTx) ApplyToProductFeed(ctx context.Context, productID string) error {
	if _, err := t.exec(ctx, "INSERT INTO product_feed (product_id, applied) VALUES (?, 1) "+
		"ON CONFLICT (product_id) DO UPDATE SET applied = product_feed.applied + 1", productID); err != nil {
		return fmt.Errorf("apply to product feed: %w", err)
	}
	return nil
}

// ProductFeed returns product_feed: how many times the product-feed consumer applied each
// product's creation (1 each when delivery is effectively once).
func (s *SQLStore) ProductFeed(ctx context.Context) (feed map[string]int, err error) {
	rows, err := s.db.QueryContext(ctx, "SELECT product_id, applied FROM product_feed")
	if err != nil {
		return nil, fmt.Errorf("product feed: %w", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	feed = make(map[string]int)
	for rows.Next() {
		var id string
		var applied int
		if err := rows.Scan(&id, &applied); err != nil {
			return nil, fmt.Errorf("product feed: %w", err)
		}
		feed[id] = applied
	}
	return feed, rows.Err()
}
