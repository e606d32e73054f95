/**
 * Plausible wrong solutions of lab 10. kit verify applies each to the solved tree and requires
 * `pnpm lab 10 check` to FAIL on a behavioural step. The Dockerfile ones fail the go-test step
 * as lab 5's fail pytest: internal/labchecks/lab10 runs the kit's linter, then the image's own
 * `go build` line (the binary must be static) and its ENTRYPOINT as a process (see DESIGN.md).
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const dockerfile = 'go/services/catalog/Dockerfile';
const dependencies = 'go/services/catalog/internal/platform/dependencies.go';
const RUNTIME = 'gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab';
const BUILDER = 'golang:1.26.5-bookworm@sha256:1ecb7edf62a0408027bd5729dfd6b1b8766e578e8df93995b225dfd0944eb651';

export default defineMutants([
  {
    name: 'the final stage runs as root',
    file: dockerfile,
    find: 'USER 65532:65532\n',
    replace: 'USER root\n',
  },
  {
    name: 'the final stage names its user (runAsNonRoot cannot verify a name)',
    file: dockerfile,
    find: 'USER 65532:65532\n',
    replace: 'USER nonroot\n',
  },
  {
    name: 'the runtime base is `latest`, unpinned',
    file: dockerfile,
    find: `FROM ${RUNTIME} AS runtime`,
    replace: 'FROM gcr.io/distroless/static-debian12:latest AS runtime',
  },
  {
    name: 'the builder is pinned by tag only (no digest)',
    file: dockerfile,
    find: `FROM ${BUILDER} AS build`,
    replace: 'FROM golang:1.26.5-bookworm AS build',
  },
  {
    name: 'a cgo-enabled build shipped in a static (libc-less) image',
    file: dockerfile,
    find: 'RUN CGO_ENABLED=0 GOOS=linux go build',
    replace: 'RUN CGO_ENABLED=1 GOOS=linux go build',
  },
  {
    name: 'CGO_ENABLED left to the golang image (cgo on: a dynamically linked binary)',
    file: dockerfile,
    find: 'RUN CGO_ENABLED=0 GOOS=linux go build',
    replace: 'RUN GOOS=linux go build',
  },
  {
    name: 'the command in shell form (no /bin/sh in distroless; and it would swallow SIGTERM)',
    file: dockerfile,
    find: 'ENTRYPOINT ["/catalog", "--host", "0.0.0.0", "--port", "8000"]',
    replace: 'ENTRYPOINT /catalog --host 0.0.0.0 --port 8000',
  },
  {
    name: 'the server listens on loopback inside the container (unreachable from outside)',
    file: dockerfile,
    find: 'ENTRYPOINT ["/catalog", "--host", "0.0.0.0", "--port", "8000"]',
    replace: 'ENTRYPOINT ["/catalog", "--port", "8000"]',
  },
  {
    name: 'a single stage: the toolchain ships in the image',
    file: dockerfile,
    find: `COPY --from=build /out/catalog /catalog\n`,
    replace: '',
  },
  {
    name: 'readiness ignores a dead database (dependencies never asked)',
    file: dependencies,
    find: '\tfor _, dep := range deps {\n\t\tif err := check(ctx, dep); err != nil {\n\t\t\treturn dep.Name + ": " + err.Error()\n\t\t}\n\t}\n',
    replace: '\tfor _, dep := range deps {\n\t\t_ = check(ctx, dep) // "a slow database is not our problem"\n\t}\n',
  },
  {
    name: 'readiness that "checks" the database without asking it',
    file: dependencies,
    find: '\t\tvar one int\n\t\tif err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {\n',
    replace: '\t\tif err := ctx.Err(); db == nil || err != nil { // "the pool is open: good enough"\n',
  },
  {
    name: 'a readiness check without a deadline (a hung database hangs /readyz)',
    file: dependencies,
    find: '\tctx, cancel := context.WithTimeout(ctx, DependencyTimeout)\n',
    replace: '\tctx, cancel := context.WithCancel(ctx)\n',
  },
]);
