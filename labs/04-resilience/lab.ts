import { defineLab } from '../../tooling/lab-engine/manifest.ts';

export default defineLab({
  title: 'Resilience + observability: retries, circuit breaker, structlog, OTel, Prometheus',
  module: 'python',
  deck: 'slides/python/slides.md#lab-4',
  owns: [
    { path: 'python/services/catalog/src/catalog/resilience/retry.py' },
    { path: 'python/services/catalog/src/catalog/resilience/breaker.py' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: ['python/services/catalog', 'labs/04-resilience/check'] },
    { kind: 'ruff-format', name: 'ruff format --check', paths: ['python/services/catalog', 'labs/04-resilience/check'] },
    {
      kind: 'mypy',
      name: 'mypy --strict',
      paths: ['python/services/catalog/src', 'labs/04-resilience/check'],
      hint: 'tenacity is typed: `AsyncRetrying(...)` wants an async function; wrap the call in `async def attempt() -> T`.',
    },
    {
      kind: 'pytest',
      name: 'acceptance tests (fake clock)',
      paths: ['labs/04-resilience/check'],
      hint: 'each message names the file and the TODO(lab 4) step; the recorded waits (or the fake clock) say what happened: 0 s = no backoff, past the budget = the deadline is ignored.',
    },
    {
      kind: 'probe',
      name: 'HTTP probe (contract, X-Request-ID, /metrics)',
      service: 'python-catalog',
      module: 'check/probe.ts',
      hint: 'the contract must not change with breakers and retries in the path; /metrics and X-Request-ID come from catalog/observability.py.',
    },
  ],
  hints: [
    'Work in README order: which calls may be retried (step 1), how long to wait (2), when to stop (3), then the breaker\'s state (4) and its call (5). `pnpm lab 4 check --watch` re-runs on every save.',
    'retry.py: `if method.upper() not in IDEMPOTENT_METHODS: return await call()`, then `AsyncRetrying(stop=stop_after_attempt(policy.attempts) | _out_of_time(time_left), wait=wait_exponential_jitter(multiplier=..., max=..., jitter=...), retry=retry_if_exception(is_transient), sleep=sleep, reraise=True)`. breaker.py `state`: CLOSED when `_opened_at is None`, HALF_OPEN once `clock() - _opened_at >= reset_timeout`, else OPEN.',
    'breaker.py `call`: OPEN, or HALF_OPEN with a trial in flight, raises `CircuitOpenError`; a HALF_OPEN call is the trial (set `_trial_in_flight`, clear it in `finally`); `except asyncio.CancelledError: raise` before `except Exception: self._record_failure(); raise` (a TimeoutError is an Exception: a timed-out call is a failure); after success `self._record_success()`. `pnpm lab 4 diff` shows the rest.',
  ],
});
