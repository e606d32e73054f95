/**
 * Plausible wrong solutions of lab 5. kit verify applies each to the solved tree and requires
 * `pnpm lab 5 check` to FAIL on a behavioural step. The Dockerfile ones fail the pytest step:
 * test_lab05_dockerfile.py runs the kit's linter and the image's command (see DESIGN.md).
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const dockerfile = 'python/services/catalog/Dockerfile';
const drain = 'python/services/catalog/src/catalog/entrypoints/drain.py';
const PINNED = 'python:3.11.11-slim-bookworm@sha256:6ed5bff4d7d377e2a27d9285553b8c21cfccc4f00881de1b24c9bc8d90016e82';

export default defineMutants([
  {
    name: 'the final stage runs as root',
    file: dockerfile,
    find: 'USER 10001:10001\n',
    replace: 'USER root\n',
  },
  {
    name: 'the final stage never switches user (no USER at all)',
    file: dockerfile,
    find: 'USER 10001:10001\n',
    replace: '',
  },
  {
    name: 'the runtime base image is `latest`, unpinned',
    file: dockerfile,
    find: `FROM ${PINNED} AS runtime`,
    replace: 'FROM python:latest AS runtime',
  },
  {
    name: 'the base image is pinned by tag only (no digest)',
    file: dockerfile,
    find: `FROM ${PINNED} AS runtime`,
    replace: 'FROM python:3.11.11-slim-bookworm AS runtime',
  },
  {
    name: 'the command in shell form (/bin/sh is PID 1 and swallows SIGTERM)',
    file: dockerfile,
    find: 'ENTRYPOINT ["python", "-m", "catalog", "--host", "0.0.0.0", "--port", "8000"]',
    replace: 'ENTRYPOINT python -m catalog --host 0.0.0.0 --port 8000',
  },
  {
    name: 'a single-stage image (build tools shipped)',
    file: dockerfile,
    find: 'COPY --from=builder /opt/venv /opt/venv\n',
    replace: '',
  },
  {
    name: 'a shutdown that drops in-flight requests (no grace period)',
    file: drain,
    find: 'config.timeout_graceful_shutdown = math.ceil(settings.grace)',
    replace: 'config.timeout_graceful_shutdown = 0',
  },
  {
    name: 'SIGTERM exits at once (no drain)',
    file: drain,
    find: '            self.drain.begin(self._clock())\n',
    replace: '            self.should_exit = True\n            self.force_exit = True\n',
  },
  {
    name: 'readiness stays ready while draining',
    file: drain,
    find: '    if state.draining:\n        return "draining"\n',
    replace: '',
  },
  {
    name: 'readiness never asks the database',
    file: drain,
    find: '            await uow.products.get(UUID(int=0))\n',
    replace: '            pass\n',
  },
  {
    name: 'readiness ignores the database',
    file: drain,
    find: `    try:
        async with asyncio.timeout(READINESS_TIMEOUT), uow_factory() as uow:
            # A primary-key lookup of an id no product has: the cheapest real query.
            await uow.products.get(UUID(int=0))
    except ProductNotFoundError:
        return None
    except TimeoutError:
        return "database: no answer within 1 s"
    except Exception as error:
        return f"database: {type(error).__name__}"
`,
    replace: '',
  },
  {
    name: 'no pre-stop delay (the listener closes as SIGTERM arrives)',
    file: drain,
    find: 'self._clock() - started >= self.drain_settings.delay',
    replace: 'self._clock() - started >= 0',
  },
  {
    name: 'SIGTERM begins the drain and is handed to uvicorn too (no delay; re-raised at the end: exit -15)',
    file: drain,
    find: '            self.drain.begin(self._clock())\n',
    replace: '            self.drain.begin(self._clock())\n            super().handle_exit(sig, frame)\n',
  },
]);
