/**
 * Plausible wrong solutions of lab 3. kit verify applies each to the solved tree and requires
 * `pnpm lab 3 check` to FAIL on a behavioural step (pytest or the probe).
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const uow = 'python/services/catalog/src/catalog/adapters/sqlite_unit_of_work.py';
const useCases = 'python/services/catalog/src/catalog/use_cases.py';
const relay = 'python/services/catalog/src/catalog/outbox/relay.py';
const consumer = 'python/services/catalog/src/catalog/outbox/consumer.py';

export default defineMutants([
  {
    name: 'the unit of work commits on exception',
    file: uow,
    find: `            if self._connection.in_transaction:
                await self._connection.execute("ROLLBACK")
        finally:`,
    replace: `            if self._connection.in_transaction:
                await self._connection.execute("COMMIT" if exc_type is not None else "ROLLBACK")
        finally:`,
  },
  {
    name: 'the unit of work commits on a clean exit (forgetting commit() is not safe)',
    file: uow,
    find: `            if self._connection.in_transaction:
                await self._connection.execute("ROLLBACK")
        finally:`,
    replace: `            if self._connection.in_transaction:
                await self._connection.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:`,
  },
  {
    name: 'no transaction: every statement autocommits',
    file: uow,
    find: `        await self._connection.execute("BEGIN")`,
    replace: `        pass`,
  },
  {
    name: 'the outbox row is written outside the product\'s transaction (separate commit)',
    file: useCases,
    find: `        await uow.products.add(product)
        await uow.outbox.add(product_created(product))`,
    replace: `        await uow.products.add(product)
        await uow.commit()
        await uow.outbox.add(product_created(product))`,
  },
  {
    name: 'an update records no event',
    file: useCases,
    find: `        await uow.outbox.add(product_updated(revised))\n`,
    replace: `        _ = product_updated\n`,
  },
  {
    name: 'the relay marks sent before publishing (an event is lost on a crash)',
    file: relay,
    find: `            await self._publisher.publish(message)
            async with self._uow_factory() as uow:
                await uow.outbox.mark_sent(message.id)
                await uow.commit()`,
    replace: `            async with self._uow_factory() as uow:
                await uow.outbox.mark_sent(message.id)
                await uow.commit()
            await self._publisher.publish(message)`,
  },
  {
    name: 'the relay never marks messages sent (publishes them forever)',
    file: relay,
    find: `                await uow.outbox.mark_sent(message.id)\n                await uow.commit()`,
    replace: `                await uow.outbox.mark_sent(message.id)`,
  },
  {
    name: 'the consumer applies a redelivered message twice',
    file: consumer,
    find: `            if not await uow.processed.add(self.name, message.id):
                return False
`,
    replace: `            await uow.processed.add(self.name, message.id)
`,
  },
  {
    name: 'the consumer records the message in a separate, earlier commit',
    file: consumer,
    find: `            if not await uow.processed.add(self.name, message.id):
                return False
`,
    replace: `            if not await uow.processed.add(self.name, message.id):
                return False
            await uow.commit()
`,
  },
]);
