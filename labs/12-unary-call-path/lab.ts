import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const recommender = 'python/services/recommender/src/recommender';
const touched = [`${recommender}/auth.py`, `${recommender}/service.py`, `${recommender}/interceptors.py`, 'labs/12-unary-call-path/check'];
const gateway = 'go/services/gateway';

export default defineLab({
  title: 'Unary call path Go gateway → Python recommender: deadlines, JWT, tracing',
  module: 'polyglot',
  deck: 'slides/polyglot/slides.md#lab-12',
  owns: [
    { path: 'go/services/gateway/internal/ports/http.go', region: 'call-deadline' },
    { path: `${recommender}/auth.py`, region: 'jwt-verify' },
    { path: `${recommender}/auth.py`, region: 'user-binding' },
    { path: `${recommender}/service.py`, region: 'deadline-shed' },
    { path: `${recommender}/interceptors.py`, region: 'trace-context' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: touched },
    { kind: 'ruff-format', name: 'ruff format --check', paths: touched, hint: 'run `.venv/bin/ruff format` on the file (most editors do it on save).' },
    { kind: 'mypy', name: 'mypy --strict', paths: touched },
    {
      kind: 'pytest',
      name: 'recommender acceptance tests (JWT, user binding, shedding, trace context)',
      paths: ['labs/12-unary-call-path/check'],
      hint: 'each message names the README step. `.venv/bin/python -m pytest labs/12-unary-call-path/check -k jwt` runs one group (`-k bind`, `-k shed`, `-k trace`: the others); the JWT cases are named (e.g. "alg none").',
    },
    { kind: 'gofmt', name: 'gofmt -l', dir: gateway, hint: 'run `gofmt -w .` in go/services/gateway (most editors do it on save).' },
    { kind: 'go-vet', name: 'go vet', dir: gateway, packages: ['./internal/ports/...', './internal/labchecks/lab12/...'], hint: 'vet flags a context.WithDeadline whose cancel is not returned or called.' },
    {
      kind: 'go-test',
      name: 'gateway acceptance tests (go test -race)',
      dir: gateway,
      packages: ['./internal/labchecks/lab12/...'],
      hint: '"saw NO deadline": the call context is still r.Context() alone. "saw 999ms left": the margin or the cap is missing. `go test -race ./internal/labchecks/lab12/ -run Budget -v` in go/services/gateway runs one test.',
    },
    {
      kind: 'probe',
      name: 'HTTP probe (Go gateway + Python recommender)',
      service: 'gateway',
      module: 'check/probe.ts',
      hint: 'the probe starts `python -m recommender` and `go run ./cmd/gateway` and calls GET /users/u-1/recommendations with good and bad tokens; README "Try it" shows the same calls with curl.',
    },
  ],
  hints: [
    'Work in README order: the gateway deadline (step 1, Go), token verification (step 2), shedding (step 3), the trace context (step 4), the user binding (step 5). `pnpm lab 12 check --watch` re-runs on every save; the pytest step names the failing step and case.',
    'Step 1: `budget, err := s.budget.RequestBudget(r.Header.Get(TimeoutHeader))` (an error is a RequestError naming TimeoutHeader), the arrival time from `r.Context().Value(startKey{})`, `deadline, ok := s.budget.CallDeadline(start, budget, s.now())` (not ok: a deadlineExceeded edgeError), then `context.WithDeadline(r.Context(), deadline)`. Step 2: `jwt.decode(token, key=settings.secret, algorithms=[settings.algorithm], audience=..., issuer=..., options={"require": [...]})`.',
    'Step 3: `remaining = context.time_remaining()`; `needed = items * self._settings.score_delay_s`; shed when `remaining is not None and remaining < needed` (both in seconds; the error wants whole milliseconds as strings). Step 4: `carrier = {key: value for key, value in metadata or () if isinstance(value, str)}` and `parent = _propagator.extract(carrier)`. Step 5: `if user_id != principal.subject and ACT_FOR_ANY_USER not in principal.scopes: raise not_yours(principal)` — `in` on the frozenset compares whole scopes. `pnpm lab 12 diff` shows the rest.',
  ],
});
