import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const dir = 'go/services/catalog';
// The packages this lab touches; the acceptance tests live in the module (Go tests cannot
// import internal packages from outside it) in a package only this lab runs.
const touched = ['./internal/resilience/...', './internal/platform/...', './internal/labchecks/lab09/...'];
const catalog = 'go/services/catalog/internal';

export default defineLab({
  title: 'Go resilience and observability: circuit breaker, retries with jitter, a hedged request, slog/metrics/traces, graceful shutdown',
  module: 'go',
  deck: 'slides/go/slides.md#lab-9',
  owns: [
    { path: `${catalog}/resilience/breaker.go` },
    { path: `${catalog}/resilience/retry.go` },
    { path: `${catalog}/resilience/hedge.go` },
    { path: `${catalog}/platform/serve.go` },
  ],
  steps: [
    { kind: 'gofmt', name: 'gofmt -l', dir, hint: 'run `gofmt -w .` in go/services/catalog (most editors do it on save).' },
    { kind: 'go-vet', name: 'go vet', dir, packages: touched, hint: 'vet flags a context.WithCancel whose cancel is not called on every path: `defer` it.' },
    { kind: 'staticcheck', name: 'staticcheck', dir, packages: touched },
    { kind: 'golangci-lint', name: 'golangci-lint', dir, packages: touched, hint: 'the linter names the rule; a parameter you do not use yet is written `_`.' },
    {
      kind: 'go-test',
      name: 'acceptance tests (go test -race, goleak)',
      dir,
      packages: ['./internal/labchecks/lab09/...'],
      hint: 'each message names the README step of its TODO(lab 9). "found unexpected goroutines" is goleak: a hedge loser still running after Do returned (step 7). `go test -race ./internal/labchecks/lab09/ -run Breaker` in go/services/catalog runs one group.',
    },
    {
      kind: 'probe',
      name: 'HTTP probe (Go catalog + upstream simulator: fan-out contract, request id, /metrics)',
      service: 'go-catalog-fanout',
      module: 'check/probe.ts',
      hint: 'the fan-out cases are lab 7\'s and must still pass with retries, breakers and the hedge in place (README, "Try it"); the /metrics names are the Python catalog\'s.',
    },
  ],
  hints: [
    'Work in README order: the breaker (steps 1-2, breaker.go), retries (3-5, retry.go), the hedge (6-7, hedge.go), the shutdown (8-9, serve.go). `pnpm lab 9 check --watch` re-runs on every save; `go test -race ./internal/labchecks/lab09/ -run Retry` in go/services/catalog runs one group.',
    'Breaker: `MaxRequests: 1, Timeout: policy.Cooldown, ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(policy.Failures) }, IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) }`. Retry: return after the first call unless `idempotent[method]`; loop `for attempt := 1; attempt < r.Attempts && Transient(err) && ctx.Err() == nil; attempt++`, wait `rand.N(ceiling+1)` where ceiling doubles from Base up to Cap, and give up when `wait >= deadline.Sub(now)`. Serve: `opts.Readiness.Drain()`, a timer of `opts.DrainDelay`, then `server.Shutdown(ctx with opts.Grace)`.',
    'Hedge: `ctx, cancel := context.WithCancel(ctx)`; `var wg sync.WaitGroup`; `defer func() { cancel(); wg.Wait() }()` (cancel the loser, THEN wait for it); `answers := make(chan answer, 2)`; start the first call with `wg.Go`, `select` on its answer or `h.after(h.Delay)`; on the timer start the second, return the first success (if the first to answer failed, wait for the other). `pnpm lab 9 diff` shows the rest.',
  ],
});
