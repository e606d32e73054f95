/**
 * Plausible wrong solutions of lab 8. kit verify applies each to the solved tree and requires
 * `pnpm lab 8 check` to FAIL on a behavioural step (go-test or the probe), not only a linter.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const uow = 'go/services/catalog/internal/adapters/unit_of_work.go';
const catalog = 'go/services/catalog/internal/app/catalog.go';
const relay = 'go/services/catalog/internal/outbox/relay.go';
const consumer = 'go/services/catalog/internal/outbox/consumer.go';

export default defineMutants([
  {
    name: 'the commit error is dropped',
    file: uow,
    find: '\tif err := tx.Commit(); err != nil {\n\t\treturn fmt.Errorf("commit: %w", err)\n\t}\n\treturn nil\n',
    replace: '\t_ = tx.Commit() // "it never fails"\n\treturn nil\n',
  },
  {
    name: 'the unit of work commits when the function failed ("keep what was done")',
    file: uow,
    find: '\tif err := fn(&sqlTx{tx: tx, dialect: s.dialect}); err != nil {\n\t\treturn err\n\t}\n',
    replace:
      '\tif err := fn(&sqlTx{tx: tx, dialect: s.dialect}); err != nil {\n\t\tif commitErr := tx.Commit(); commitErr != nil {\n\t\t\treturn errors.Join(err, commitErr)\n\t\t}\n\t\treturn err\n\t}\n',
  },
  {
    name: 'no rollback on panic (the rollback is not deferred)',
    file: uow,
    find: '\tdefer func() {\n\t\tif rollbackErr := tx.Rollback(); rollbackErr != nil && !errors.Is(rollbackErr, sql.ErrTxDone) {\n\t\t\terr = errors.Join(err, fmt.Errorf("rollback: %w", rollbackErr))\n\t\t}\n\t}()\n\tif err := fn(&sqlTx{tx: tx, dialect: s.dialect}); err != nil {\n\t\treturn err\n\t}\n',
    replace:
      '\tif err := fn(&sqlTx{tx: tx, dialect: s.dialect}); err != nil {\n\t\tif rollbackErr := tx.Rollback(); rollbackErr != nil && !errors.Is(rollbackErr, sql.ErrTxDone) {\n\t\t\treturn errors.Join(err, fmt.Errorf("rollback: %w", rollbackErr))\n\t\t}\n\t\treturn err\n\t}\n',
  },
  {
    name: 'the outbox row is written in a separate transaction after the product',
    file: catalog,
    find: '\terr := c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {\n\t\tif err := tx.Products().Add(ctx, product); err != nil {\n\t\t\treturn err\n\t\t}\n\t\treturn tx.Outbox().Append(ctx, outbox.ProductCreated(product))\n\t})\n',
    replace:
      '\terr := c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {\n\t\treturn tx.Products().Add(ctx, product)\n\t})\n\tif err == nil {\n\t\terr = c.uow.WithinTx(ctx, func(ctx context.Context, tx Tx) error {\n\t\t\treturn tx.Outbox().Append(ctx, outbox.ProductCreated(product))\n\t\t})\n\t}\n',
  },
  {
    name: 'the relay marks a message sent before publishing it',
    file: relay,
    find: '\t\t\tif err := r.publisher.Publish(ctx, message); err != nil {\n\t\t\t\tpublishErr = fmt.Errorf("publish %s %s: %w", message.Topic, message.ID, err)\n\t\t\t\tbreak\n\t\t\t}\n\t\t\tif err := tx.MarkSent(ctx, message.ID); err != nil {\n\t\t\t\treturn err\n\t\t\t}\n',
    replace:
      '\t\t\tif err := tx.MarkSent(ctx, message.ID); err != nil {\n\t\t\t\treturn err\n\t\t\t}\n\t\t\tif err := r.publisher.Publish(ctx, message); err != nil {\n\t\t\t\tpublishErr = fmt.Errorf("publish %s %s: %w", message.Topic, message.ID, err)\n\t\t\t\tbreak\n\t\t\t}\n',
  },
  {
    name: 'the consumer applies a duplicate again (the processed check is ignored)',
    file: consumer,
    find: '\t\tif !first {\n\t\t\treturn nil\n\t\t}\n',
    replace: '\t\t_ = first // "the handler is idempotent anyway"\n',
  },
]);
