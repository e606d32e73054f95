import { defineLab } from '../../tooling/lab-engine/manifest.ts';

export default defineLab({
  title: 'Async fan-out/fan-in: TaskGroup, timeouts, cancellation, semaphores, process pool',
  module: 'python',
  deck: 'slides/python/slides.md#lab-2',
  owns: [{ path: 'python/services/catalog/src/catalog/fanout/aggregator.py' }],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: ['python/services/catalog', 'labs/02-async-fanout/check'] },
    { kind: 'ruff-format', name: 'ruff format --check', paths: ['python/services/catalog', 'labs/02-async-fanout/check'] },
    {
      kind: 'mypy',
      name: 'mypy --strict',
      paths: ['python/services/catalog/src', 'labs/02-async-fanout/check'],
      hint: 'a task\'s type is asyncio.Task[T | None]; `reveal_type(pricing)` shows what mypy sees.',
    },
    {
      kind: 'pytest',
      name: 'acceptance tests',
      paths: ['labs/02-async-fanout/check'],
      hint: 'each message names the README step; the elapsed time says what happened (≈ the sum: sequential; no answer: no timeout).',
    },
    {
      kind: 'probe',
      name: 'HTTP probe (catalog + upstream simulator)',
      service: 'python-catalog-fanout',
      module: 'check/probe.ts',
      hint: 'the probe makes the simulator slow or failing with PUT /_sim/config and times GET /products/{id}; run `python -m upstream_sim` yourself to try it by hand (README, "Try it").',
    },
  ],
  hints: [
    'Work in README order: concurrency first (step 1: TaskGroup), then the per-call timeout (2), the deadline (3), the semaphore (4), what to catch (5) and the process pool (6). `pnpm lab 2 check --watch` re-runs on every save.',
    'fetch: `async with asyncio.timeout(self._policy.deadline):` around `async with asyncio.TaskGroup() as group:`, three `group.create_task(self._part(...))`, `except TimeoutError: pass`, then `_settled(task, name, reasons)` for each. _call: `async with self._slots:` then `async with asyncio.timeout(self._policy.call_timeout):`.',
    '_part: `except TimeoutError: reasons[name] = "timeout"` before `except Exception`. __init__: `self._slots = asyncio.Semaphore(policy.max_concurrency)`. _reviews: `loop = asyncio.get_running_loop(); return await loop.run_in_executor(self._cpu_pool, summarise_reviews, reviews)`. `pnpm lab 2 diff` shows the rest.',
  ],
});
