package adapters

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/outbox"
)

// WithinTx implements app.UnitOfWork: the use case's product writes and outbox rows share
// one *sql.Tx.
func (s *SQLStore) WithinTx(ctx context.Context, fn func(ctx context.Context, tx app.Tx) error) error {
	return s.inTx(ctx, func(tx *sqlTx) error { return fn(ctx, tx) })
}

// WithinRelayTx implements outbox.RelayStore.
func (s *SQLStore) WithinRelayTx(ctx context.Context, fn func(ctx context.Context, tx outbox.RelayTx) error) error {
	return s.inTx(ctx, func(tx *sqlTx) error { return fn(ctx, tx) })
}

// WithinInboxTx implements outbox.InboxStore.
func (s *SQLStore) WithinInboxTx(ctx context.Context, fn func(ctx context.Context, tx outbox.InboxTx) error) error {
	return s.inTx(ctx, func(tx *sqlTx) error { return fn(ctx, tx) })
}

// inTx is the unit of work, the one place a transaction begins and ends. Lab 8 (steps 1-2):
//   - it rolls back by default: the deferred rollback runs when fn returns an error AND when
//     fn panics (the panic then goes on), and is a no-op (sql.ErrTxDone) after a commit;
//   - it commits only when fn returned nil, and returns the commit's error: a commit can fail
//     (a serialization failure, a constraint checked at commit, a lost connection), and then
//     nothing was written;
//   - a failed rollback is joined to the error, never dropped.
func (s *SQLStore) inTx(ctx context.Context, fn func(tx *sqlTx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if rollbackErr := tx.Rollback(); rollbackErr != nil && !errors.Is(rollbackErr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rollbackErr))
		}
	}()
	if err := fn(&sqlTx{tx: tx, dialect: s.dialect}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
