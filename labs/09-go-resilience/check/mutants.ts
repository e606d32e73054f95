/**
 * Plausible wrong solutions of lab 9. kit verify applies each to the solved tree and requires
 * `pnpm lab 9 check` to FAIL on a behavioural step (go-test or the probe), not only a linter.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const breaker = 'go/services/catalog/internal/resilience/breaker.go';
const retry = 'go/services/catalog/internal/resilience/retry.go';
const hedge = 'go/services/catalog/internal/resilience/hedge.go';
const serve = 'go/services/catalog/internal/platform/serve.go';

export default defineMutants([
  {
    name: 'a breaker that never half-opens (the cool-down is "forever")',
    file: breaker,
    find: '\t\tTimeout:     policy.Cooldown,\n',
    replace: '\t\tTimeout:     24 * time.Hour, // "stay open until someone looks"\n',
  },
  {
    name: 'a breaker that counts the client leaving as a failure',
    file: breaker,
    find: '\t\tIsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },\n',
    replace: '\t\tIsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) && err == nil },\n',
  },
  {
    name: 'a hedge that never cancels the loser (its goroutine outlives the request)',
    file: hedge,
    find: '\tdefer func() {\n\t\tcancel()\n\t\twg.Wait()\n\t}()\n',
    replace: '\tdefer func() { go func() { wg.Wait(); cancel() }() }() // "the loser finishes on its own"\n',
  },
  {
    name: 'a shutdown that drops in-flight requests (Close instead of Shutdown)',
    file: serve,
    find: '\tif err := server.Shutdown(shutdownCtx); err != nil {\n',
    replace: '\t_ = shutdownCtx\n\tif err := server.Close(); err != nil {\n',
  },
  {
    name: 'a shutdown that never says "not ready"',
    file: serve,
    find: '\topts.Readiness.Drain()\n',
    replace: '',
  },
  {
    name: 'a retry on a non-idempotent call (POST retried too)',
    file: retry,
    find: '\tif !idempotent[method] {\n',
    replace: '\tif !idempotent[method] && method == "" {\n',
  },
  {
    name: 'a retry without backoff (retries at once)',
    file: retry,
    find: '\t\twait := r.jitter(r.ceiling(attempt))\n',
    replace: '\t\twait := time.Duration(0) // "retry at once"\n',
  },
  {
    name: 'a retry that sleeps past the deadline',
    file: retry,
    find: '\t\tif deadline, ok := ctx.Deadline(); ok && wait >= deadline.Sub(r.now()) {\n',
    replace: '\t\tif deadline, ok := ctx.Deadline(); ok && deadline.IsZero() && wait >= deadline.Sub(r.now()) {\n',
  },
]);
