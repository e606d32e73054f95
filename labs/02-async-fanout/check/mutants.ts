/**
 * Plausible wrong solutions of lab 2. kit verify applies each to the solved tree and requires
 * `pnpm lab 2 check` to FAIL on a behavioural step (pytest or the probe).
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const aggregator = 'python/services/catalog/src/catalog/fanout/aggregator.py';

export default defineMutants([
  {
    name: 'sequential awaits: each part awaited as soon as it is started',
    file: aggregator,
    find: `                    pricing = group.create_task(
                        self._part("pricing", reasons, lambda: self._pricing(product_id))
                    )
                    inventory = group.create_task(
                        self._part("inventory", reasons, lambda: self._inventory(product_id))
                    )
`,
    replace: `                    pricing = group.create_task(
                        self._part("pricing", reasons, lambda: self._pricing(product_id))
                    )
                    await pricing
                    inventory = group.create_task(
                        self._part("inventory", reasons, lambda: self._inventory(product_id))
                    )
                    await inventory
`,
  },
  {
    name: 'no per-call timeout (only the deadline)',
    file: aggregator,
    find: 'async with asyncio.timeout(self._policy.call_timeout):',
    replace: 'async with asyncio.timeout(None):',
  },
  {
    name: 'the deadline handler swallows the request\'s cancellation (except BaseException)',
    file: aggregator,
    find: '        except TimeoutError:\n            # The deadline passed.',
    replace: '        except BaseException:\n            # The deadline passed.',
  },
  {
    name: 'a part swallows CancelledError (except BaseException) and reports "error"',
    file: aggregator,
    find: '        except Exception:\n            # Exception, not BaseException',
    replace: '        except BaseException:\n            # Exception, not BaseException',
  },
  {
    name: 'no bound: a new semaphore per call',
    file: aggregator,
    find: '        async with self._slots:',
    replace: '        async with asyncio.Semaphore(self._policy.max_concurrency):',
  },
  {
    name: 'review scoring runs inline on the event loop',
    file: aggregator,
    find: '        return await loop.run_in_executor(self._cpu_pool, summarise_reviews, reviews)',
    replace: '        return summarise_reviews(reviews)',
  },
]);
