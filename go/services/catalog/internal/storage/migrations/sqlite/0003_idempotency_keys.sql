-- Idempotency-Key (POST /products): the first answer to a keyed request, stored in the same
-- transaction as the product and its outbox row. The primary key is what makes a concurrent
-- duplicate wait for (SQLite: the write lock; PostgreSQL: the row) and then replay this row.
-- created_at is kept for a later expiry sweep; nothing deletes rows yet (DESIGN.md 2026-12-08).
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    location TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
