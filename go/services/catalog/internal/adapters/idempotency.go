package adapters

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"languagetracks.example/go/services/catalog/internal/app"
)

// The idempotency_keys table (migration 0003) behind app.IdempotencyKeys, for the SQL store
// and the memory store alike. Both transactions implement app.IdempotentTx.

func (t *sqlTx) IdempotencyKeys() app.IdempotencyKeys { return t }

// Claim inserts the key's row unless the key exists. ON CONFLICT DO NOTHING (both dialects)
// turns a duplicate into "0 rows" instead of an error that would abort a PostgreSQL
// transaction; PostgreSQL makes the insert wait for a concurrent inserter of the same key,
// SQLite's BEGIN IMMEDIATE already made this transaction the only writer.
func (t *sqlTx) Claim(ctx context.Context, key, fingerprint string, answer app.StoredAnswer) (bool, error) {
	n, err := t.exec(ctx, "INSERT INTO idempotency_keys (key, fingerprint, status, location, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
		key, fingerprint, answer.Status, answer.Location, answer.Body)
	if err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	return n == 1, nil
}

// Answer reads a stored key (read committed in PostgreSQL: the row a blocked Claim waited for
// is visible to this next statement).
func (t *sqlTx) Answer(ctx context.Context, key string) (string, app.StoredAnswer, error) {
	var fingerprint string
	var answer app.StoredAnswer
	err := t.tx.QueryRowContext(ctx, t.q("SELECT fingerprint, status, location, body FROM idempotency_keys WHERE key = ?"), key).
		Scan(&fingerprint, &answer.Status, &answer.Location, &answer.Body)
	if errors.Is(err, sql.ErrNoRows) {
		// Claim said the key was taken: only a row deleted in between gets here.
		return "", app.StoredAnswer{}, fmt.Errorf("idempotency key %q vanished after a failed claim: %w", key, err)
	}
	if err != nil {
		return "", app.StoredAnswer{}, fmt.Errorf("read idempotency key: %w", err)
	}
	return fingerprint, answer, nil
}

// memoryKey is one stored key of the memory store.
type memoryKey struct {
	fingerprint string
	answer      app.StoredAnswer
}

func (t memoryTx) IdempotencyKeys() app.IdempotencyKeys { return t }

// Claim stores the key unless it is there. The memory store serializes transactions with its
// mutex, so a concurrent duplicate sees the committed first claim.
func (t memoryTx) Claim(_ context.Context, key, fingerprint string, answer app.StoredAnswer) (bool, error) {
	if _, taken := t.s.keys[key]; taken {
		return false, nil
	}
	answer.Body = append([]byte(nil), answer.Body...) // the caller's slice stays the caller's
	t.s.keys[key] = memoryKey{fingerprint: fingerprint, answer: answer}
	return true, nil
}

// Answer reads a stored key.
func (t memoryTx) Answer(_ context.Context, key string) (string, app.StoredAnswer, error) {
	stored, ok := t.s.keys[key]
	if !ok {
		return "", app.StoredAnswer{}, fmt.Errorf("idempotency key %q: not stored", key)
	}
	return stored.fingerprint, stored.answer, nil
}
