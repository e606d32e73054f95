import { defineLab } from '../../tooling/lab-engine/manifest.ts';

export default defineLab({
  title: 'Ship it: container image, readiness, graceful shutdown, CI job',
  module: 'python',
  deck: 'slides/python/slides.md#lab-5',
  owns: [
    { path: 'python/services/catalog/Dockerfile' },
    { path: 'python/services/catalog/src/catalog/entrypoints/drain.py' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: ['python/services/catalog', 'labs/05-ship-it/check'] },
    { kind: 'ruff-format', name: 'ruff format --check', paths: ['python/services/catalog', 'labs/05-ship-it/check'] },
    {
      kind: 'mypy',
      name: 'mypy --strict',
      paths: ['python/services/catalog/src', 'labs/05-ship-it/check'],
      hint: 'uvicorn is typed: `config.timeout_graceful_shutdown` is `int | None` (whole seconds), `handle_exit(sig, frame)` returns None.',
    },
    {
      kind: 'pytest',
      name: 'acceptance tests (Dockerfile lint + real processes)',
      paths: ['labs/05-ship-it/check'],
      hint: 'Dockerfile failures list the linter\'s `file:line rule message` lines, each tagged with its README step; drain failures say what the /readyz answers and the in-flight requests were after SIGTERM.',
      timeoutSeconds: 180,
    },
  ],
  hints: [
    'Work in README order: the Dockerfile (steps 1-2, `node scripts/dockerfile-lint.ts python/services/catalog/Dockerfile` answers in a second), then drain.py: readiness (3), the signal (4), the delay (5), the grace period (6). `pnpm lab 5 check --watch` re-runs on every save.',
    'Dockerfile: `FROM python:3.11.11-slim-bookworm@sha256:… AS builder` runs `pip install uv==0.13.9` and `uv sync --locked --no-dev --no-install-project` with `UV_PROJECT_ENVIRONMENT=/opt/venv`; the runtime stage (same FROM line, `AS runtime`) does `COPY --from=builder /opt/venv /opt/venv`, `groupadd/useradd` uid 10001, `USER 10001:10001`, `HEALTHCHECK CMD ["python", "-c", "…urlopen(\'http://127.0.0.1:8000/healthz\')…"]`, `ENTRYPOINT ["python", "-m", "catalog", "--host", "0.0.0.0", "--port", "8000"]`.',
    'drain.py: `readiness` returns "draining" if `state.draining`, else runs `await uow.products.get(UUID(int=0))` inside `async with asyncio.timeout(READINESS_TIMEOUT), uow_factory() as uow:` (ProductNotFoundError → None; other errors → f"database: {type(error).__name__}"). `handle_exit`: SIGTERM → `self.drain.begin(self._clock())` (second one: `self.should_exit = True`), else `super()`. `on_tick`: `should_exit` once `self._clock() - started >= self.drain_settings.delay`. `__init__`: `config.timeout_graceful_shutdown = math.ceil(settings.grace)`. `pnpm lab 5 diff` shows the rest.',
  ],
});
