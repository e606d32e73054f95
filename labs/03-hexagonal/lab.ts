import { defineLab } from '../../tooling/lab-engine/manifest.ts';

export default defineLab({
  title: 'Hexagonal refactor: ports as Protocol, adapters, unit of work + outbox, DI wiring',
  module: 'python',
  deck: 'slides/python/slides.md#lab-3',
  owns: [
    { path: 'python/services/catalog/src/catalog/adapters/sqlite_unit_of_work.py' },
    { path: 'python/services/catalog/src/catalog/use_cases.py' },
    { path: 'python/services/catalog/src/catalog/outbox/relay.py' },
    { path: 'python/services/catalog/src/catalog/outbox/consumer.py' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: ['python/services/catalog', 'labs/03-hexagonal/check'] },
    { kind: 'ruff-format', name: 'ruff format --check', paths: ['python/services/catalog', 'labs/03-hexagonal/check'] },
    {
      kind: 'mypy',
      name: 'mypy --strict',
      paths: ['python/services/catalog/src', 'labs/03-hexagonal/check'],
      hint: 'an adapter must fit its Protocol in catalog/ports.py: mypy names the member that does not.',
    },
    {
      kind: 'import-linter',
      name: 'architecture rules (import-linter)',
      contracts: ['catalog-core-no-adapters', 'catalog-core-no-frameworks'],
      hint: 'the domain, the ports and the use cases depend on nothing outer: take what they need as a port (catalog/ports.py) and let bootstrap.py pass the adapter in. The failure names the import to remove, file:line.',
    },
    {
      kind: 'pytest',
      name: 'acceptance tests (SQLite)',
      paths: ['labs/03-hexagonal/check'],
      hint: 'each message names the file and the TODO(lab 3) step; start with the unit of work (steps 1-2): everything else relies on its rollback.',
    },
    {
      kind: 'probe',
      name: 'HTTP probe (the contract still holds, outbox on NATS JetStream)',
      service: 'python-catalog-broker',
      module: 'check/probe.ts',
      hint: 'the HTTP contract must not change: a 500 here usually means a unit of work left open or a statement outside a transaction.',
    },
  ],
  hints: [
    'Work in README order: the unit of work (steps 1-2), the event in the same transaction (3), the relay (4), the consumer (5). `pnpm lab 3 check --watch` re-runs on every save.',
    'Unit of work: `__aenter__` ends with `await self._connection.execute("BEGIN")`; `__aexit__` does `if self._connection.in_transaction: ROLLBACK` in a `try`, closing in `finally`; `commit()`/`rollback()` run COMMIT/ROLLBACK and BEGIN again. Use cases: one `await uow.outbox.add(product_created(product))` before each `commit()`.',
    'Relay: read `pending` in one unit of work, then per message `await self._publisher.publish(message)` FIRST, then a new unit of work that `mark_sent`s and commits. Consumer: `if not await uow.processed.add(self.name, message.id): return False` before the handler. `pnpm lab 3 diff` shows the rest.',
  ],
});
