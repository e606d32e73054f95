import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const dir = 'go/services/catalog';
// The packages this lab touches; the acceptance tests live in the module (Go tests cannot
// import internal packages from outside it) in a package only this lab runs.
const touched = ['./internal/adapters/...', './internal/app/...', './internal/outbox/...', './internal/labchecks/lab08/...'];

export default defineLab({
  title: 'Go hexagonal: ports near consumers, a sql.Tx unit of work, the transactional outbox',
  module: 'go',
  deck: 'slides/go/slides.md#lab-8',
  owns: [
    { path: 'go/services/catalog/internal/adapters/unit_of_work.go' },
    { path: 'go/services/catalog/internal/app/catalog.go' },
    { path: 'go/services/catalog/internal/outbox/relay.go' },
    { path: 'go/services/catalog/internal/outbox/consumer.go' },
  ],
  steps: [
    { kind: 'gofmt', name: 'gofmt -l', dir, hint: 'run `gofmt -w .` in go/services/catalog (most editors do it on save).' },
    { kind: 'go-vet', name: 'go vet', dir, packages: touched },
    { kind: 'staticcheck', name: 'staticcheck', dir, packages: touched },
    {
      kind: 'golangci-lint',
      name: 'golangci-lint',
      dir,
      packages: touched,
      hint: 'the linter names the rule; an import you no longer use (or not yet) is a compile error first: `errors`, `database/sql` come back with step 1, `fmt` in relay.go with step 4.',
    },
    {
      kind: 'golangci-lint',
      name: 'architecture rules (depguard)',
      dir,
      packages: ['./internal/domain/...', './internal/app/...'],
      linters: ['depguard'],
      hint: 'the domain and the use cases depend on nothing outer: the failure names the import and the rule (list `core` in go/services/catalog/.golangci.yml). Declare the port the code needs and let cmd/ wire the adapter.',
    },
    {
      kind: 'go-test',
      name: 'acceptance tests (go test -race, SQLite, goleak)',
      dir,
      packages: ['./internal/labchecks/lab08/...'],
      hint: 'each message names the file and README step of its TODO(lab 8); start with the unit of work (steps 1-2): everything else relies on its rollback. A test that fails after about 3 s hit its deadline: a transaction was left open (SQLite in memory has one connection).',
    },
    {
      kind: 'probe',
      name: 'HTTP probe (the contract still holds, outbox on NATS JetStream)',
      service: 'go-catalog-broker',
      module: 'check/probe.ts',
      hint: 'the HTTP contract must not change: a 500 or a hang here usually means a transaction left open, or a write outside the unit of work.',
    },
  ],
  hints: [
    'Work in README order: the unit of work (steps 1-2, adapters/unit_of_work.go), the event in the same transaction (3, app/catalog.go), the relay (4, outbox/relay.go), the consumer (5, outbox/consumer.go). `pnpm lab 8 check --watch` re-runs on every save; `go test -race ./internal/labchecks/lab08/ -run Step1` in go/services/catalog runs one step.',
    'Unit of work: give inTx a named result `(err error)` and, right after BeginTx, `defer func() { if rb := tx.Rollback(); rb != nil && !errors.Is(rb, sql.ErrTxDone) { err = errors.Join(err, fmt.Errorf("rollback: %w", rb)) } }()`; end with `if err := tx.Commit(); err != nil { return fmt.Errorf("commit: %w", err) }`. Use cases: inside the one WithinTx, `if err := tx.Products().Add(ctx, product); err != nil { return err }; return tx.Outbox().Append(ctx, outbox.ProductCreated(product))`.',
    'Relay: `err := r.store.WithinRelayTx(ctx, func(ctx context.Context, tx RelayTx) error { pending, err := tx.Pending(ctx, r.batch); ...; for _, m := range pending { if err := r.publisher.Publish(ctx, m); err != nil { publishErr = ...; break }; if err := tx.MarkSent(ctx, m.ID); err != nil { return err }; sent++ }; return nil })`. Consumer: `first, err := tx.MarkProcessed(ctx, c.name, message.ID); if err != nil { return err }; if !first { return nil }` before the handler. `pnpm lab 8 diff` shows the rest.',
  ],
});
