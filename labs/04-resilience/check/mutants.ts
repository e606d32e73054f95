/**
 * Plausible wrong solutions of lab 4. kit verify applies each to the solved tree and requires
 * `pnpm lab 4 check` to FAIL on a behavioural step (pytest or the probe).
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const retry = 'python/services/catalog/src/catalog/resilience/retry.py';
const breaker = 'python/services/catalog/src/catalog/resilience/breaker.py';

export default defineMutants([
  {
    name: 'a retry without backoff (the next attempt goes at once)',
    file: retry,
    find: `multiplier=policy.base_delay, max=policy.max_delay, jitter=policy.jitter`,
    replace: `multiplier=0, max=0, jitter=0`,
  },
  {
    name: 'a retry with backoff but no jitter (clients come back in lockstep)',
    file: retry,
    find: `multiplier=policy.base_delay, max=policy.max_delay, jitter=policy.jitter`,
    replace: `multiplier=policy.base_delay, max=policy.max_delay, jitter=0`,
  },
  {
    name: 'a retry on a non-idempotent call (a POST sent twice)',
    file: retry,
    find: `    if method.upper() not in IDEMPOTENT_METHODS:
        return await call()
`,
    replace: ``,
  },
  {
    name: 'retries that ignore the deadline',
    file: retry,
    find: `stop=stop_after_attempt(policy.attempts) | _out_of_time(time_left),`,
    replace: `stop=stop_after_attempt(policy.attempts),`,
  },
  {
    name: 'a retry of permanent errors (a 404 asked again)',
    file: retry,
    find: `retry=retry_if_exception(is_transient),`,
    replace: `retry=retry_if_exception(lambda error: isinstance(error, Exception)),`,
  },
  {
    name: 'a breaker that never half-opens',
    file: breaker,
    find: `        if self._clock() - self._opened_at >= self._reset_timeout:
            return BreakerState.HALF_OPEN
`,
    replace: ``,
  },
  {
    name: 'a half-open breaker that lets every call through (no single trial)',
    file: breaker,
    find: `        busy = state is BreakerState.HALF_OPEN and self._trial_in_flight`,
    replace: `        busy = False`,
  },
  {
    name: 'a breaker that counts a cancelled call as a failure',
    file: breaker,
    find: `        except asyncio.CancelledError:
            raise
        except Exception:`,
    replace: `        except BaseException:`,
  },
  {
    name: 'a breaker that ignores timeouts (a hanging upstream never opens it)',
    file: breaker,
    find: `        except asyncio.CancelledError:
            raise
        except Exception:`,
    replace: `        except (asyncio.CancelledError, TimeoutError):
            raise
        except Exception:`,
  },
]);
