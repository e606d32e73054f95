import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const dir = 'go/services/catalog';
// The packages this lab touches; the acceptance tests live in the module (Go tests cannot
// import internal packages from outside it) in a package only this lab runs.
const touched = ['./internal/fanout/...', './internal/labchecks/lab07/...'];

export default defineLab({
  title: 'Go concurrency with deadlines: errgroup, per-call and overall timeouts, a shared semaphore, no leaks',
  module: 'go',
  deck: 'slides/go/slides.md#lab-7',
  owns: [{ path: 'go/services/catalog/internal/fanout/aggregator.go' }],
  steps: [
    { kind: 'gofmt', name: 'gofmt -l', dir, hint: 'run `gofmt -w .` in go/services/catalog (most editors do it on save).' },
    { kind: 'go-vet', name: 'go vet', dir, packages: touched, hint: 'vet flags a context.WithTimeout whose cancel is never called: `defer cancel()` right after it.' },
    { kind: 'staticcheck', name: 'staticcheck', dir, packages: touched },
    {
      kind: 'golangci-lint',
      name: 'golangci-lint',
      dir,
      packages: touched,
      hint: 'the linter names the rule; an unchecked error from group.Wait() is written `_ = group.Wait()` with a comment saying why.',
    },
    {
      kind: 'go-test',
      name: 'acceptance tests (go test -race, goleak)',
      dir,
      packages: ['./internal/labchecks/lab07/...'],
      hint: 'each message names the README step; the elapsed time says what happened (≈ the sum: sequential; ≈ the fake\'s latency: no timeout). "DATA RACE" is the race detector: guard the shared map. "found unexpected goroutines" is goleak (step 5).',
    },
    {
      kind: 'probe',
      name: 'HTTP probe (Go catalog + upstream simulator)',
      service: 'go-catalog-fanout',
      module: 'check/probe.ts',
      hint: 'the probe makes the simulator slow or failing with PUT /_sim/config and times GET /products/{id} against the real binary; run `python -m upstream_sim` and the catalog with CATALOG_UPSTREAM_URL yourself to try it by hand (README, "Try it").',
    },
  ],
  hints: [
    'Work in README order: concurrency first (step 1: errgroup), then the per-call timeout (2), the deadline (3), the semaphore (4), and check for leaks (5). `pnpm lab 7 check --watch` re-runs on every save; `go test -race ./internal/labchecks/lab07/ -run Timing` in go/services/catalog runs one test.',
    'Fetch: `ctx, cancel := context.WithTimeout(ctx, a.policy.Deadline); defer cancel()`, then `group, groupCtx := errgroup.WithContext(ctx)`, and per name `group.Go(func() error { part := a.part(groupCtx, name, productID); mu.Lock(); parts[name] = part; mu.Unlock(); return nil })`, then `_ = group.Wait()`. call: `callCtx, cancel := context.WithTimeout(ctx, a.policy.CallTimeout); defer cancel()` and Fetch(callCtx, ...).',
    'NewAggregator: add `slots *semaphore.Weighted` to the struct and `slots: semaphore.NewWeighted(int64(policy.MaxConcurrency))`. call: `if err := a.slots.Acquire(ctx, 1); err != nil { return nil, err }; defer a.slots.Release(1)` BEFORE the call timeout starts. Do not start a call in the last quarter of its timeout before the deadline (see the solution for why). `pnpm lab 7 diff` shows the rest.',
  ],
});
