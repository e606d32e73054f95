import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const service = 'python/services/recommender/src/recommender/service.py';
const gateway = 'go/services/gateway';
const touched = [service, 'labs/13-streaming/check'];
const goTouched = ['./internal/ports/...', './internal/labchecks/lab13/...'];

export default defineLab({
  title: 'Server streaming, backpressure, cancellation',
  module: 'polyglot',
  deck: 'slides/polyglot/slides.md#lab-13',
  owns: [
    { path: service, region: 'stream-recommendations' },
    { path: service, region: 'stream-producer' },
    { path: 'go/services/gateway/internal/ports/http.go', region: 'stream-handler' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: touched },
    { kind: 'ruff-format', name: 'ruff format --check', paths: touched, hint: 'run `.venv/bin/ruff format` on the file (most editors do it on save).' },
    { kind: 'mypy', name: 'mypy --strict', paths: touched, hint: 'the queue is `asyncio.Queue[model.Ranked | None]` (None ends the stream); the producer task is `asyncio.Task[None]`.' },
    {
      kind: 'pytest',
      name: 'recommender acceptance tests (bounded producer, cancellation)',
      paths: ['labs/13-streaming/check'],
      hint: 'each message names the README step. `.venv/bin/python -m pytest labs/13-streaming/check -k slow_reader` runs one test; "produced 8" means the queue is unbounded, "did not finish within 1 s" means the producer is never cancelled or swallows the cancellation.',
    },
    { kind: 'gofmt', name: 'gofmt -l', dir: gateway, hint: 'run `gofmt -w .` in go/services/gateway (most editors do it on save).' },
    { kind: 'go-vet', name: 'go vet', dir: gateway, packages: goTouched, hint: 'vet names the file and line; a write error to a client that left is answered by returning (the deferred cancel ends the gRPC stream).' },
    {
      kind: 'go-test',
      name: 'gateway acceptance tests (go test -race, goleak)',
      dir: gateway,
      packages: ['./internal/labchecks/lab13/...'],
      hint: '"reached the client only after the recommender had waited": a line was collected or not flushed. "still streaming 1 s after the client left": the call does not run on the request\'s context. "found unexpected goroutines" is goleak: a gRPC stream nobody cancelled. `go test -race ./internal/labchecks/lab13/ -run Flushed -v` in go/services/gateway runs one test.',
    },
    {
      kind: 'probe',
      name: 'HTTP probe (Go gateway + Python recommender, NDJSON stream)',
      service: 'gateway',
      module: 'check/probe.ts',
      hint: 'the probe reads GET /users/u-1/recommendations/stream as the bytes arrive and aborts some streams after one line; README "Try it" shows the same with `curl -N`.',
    },
  ],
  hints: [
    'Work in README order: the producer (steps 1-3, Python), then the gateway handler (steps 4-6, Go). `pnpm lab 13 check --watch` re-runs on every save; the pytest and go-test messages name the step.',
    'Python: `queue: asyncio.Queue[model.Ranked | None] = asyncio.Queue(maxsize=self._settings.stream_buffer)`, `producer = asyncio.create_task(self._produce(ranked, queue, progress))`, add it to `self.producers` with `producer.add_done_callback(self.producers.discard)`, then `try: while (one := await queue.get()) is not None: ... yield ...` and `finally: producer.cancel(); await asyncio.gather(producer, return_exceptions=True)`. The producer: `await self._look_up(one); await queue.put(one)`, count, and `await queue.put(None)` at the end — no `except CancelledError`.',
    'Go: keep `stream, err := s.client.StreamRecommendations(ctx, ...)` on the ctx from callContext. `item, err := stream.Recv()` once before `w.WriteHeader(http.StatusOK)` (an error there is returned: a normal problem), then `flusher := http.NewResponseController(w)`, `enc := json.NewEncoder(w)` and loop: `enc.Encode(app.StreamItemFromProto(item))`, `flusher.Flush()`, next `stream.Recv()`; io.EOF ends it; another error, if `r.Context().Err() == nil`, becomes a last line `streamErrorLine{Error: envelope(err)}`. `pnpm lab 13 diff` shows the rest.',
  ],
});
