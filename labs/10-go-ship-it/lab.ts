import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const dir = 'go/services/catalog';
// The packages this lab touches; the acceptance tests live in the module (Go tests cannot
// import internal packages from outside it) in a package only this lab runs.
const touched = ['./internal/platform/...', './internal/labchecks/lab10/...'];

export default defineLab({
  title: 'Go ship it: static binary, distroless non-root image, readiness that asks the database, CI job',
  module: 'go',
  deck: 'slides/go/slides.md#lab-10',
  owns: [
    { path: 'go/services/catalog/Dockerfile' },
    { path: 'go/services/catalog/internal/platform/dependencies.go' },
  ],
  steps: [
    { kind: 'gofmt', name: 'gofmt -l', dir, hint: 'run `gofmt -w .` in go/services/catalog (most editors do it on save).' },
    { kind: 'go-vet', name: 'go vet', dir, packages: touched, hint: 'vet flags a context.WithTimeout whose cancel is not called on every path: `defer cancel()`.' },
    { kind: 'staticcheck', name: 'staticcheck', dir, packages: touched },
    { kind: 'golangci-lint', name: 'golangci-lint', dir, packages: touched, hint: 'the linter names the rule; a parameter you do not use yet is written `_`.' },
    {
      kind: 'go-test',
      name: 'acceptance tests (Dockerfile lint, the image\'s go build and ENTRYPOINT run here, readiness)',
      dir,
      packages: ['./internal/labchecks/lab10/...'],
      hint: 'Dockerfile failures list the linter\'s `file:line rule message` lines, each tagged with its README step; the image\'s own `go build` line is run as written (the first run compiles the module: up to a minute). `go test ./internal/labchecks/lab10/ -run Readiness` in go/services/catalog runs the readiness group alone.',
      timeoutSeconds: 600,
    },
  ],
  hints: [
    'Work in README order: the Dockerfile (steps 1-2; `pnpm exec node scripts/dockerfile-lint.ts go/services/catalog/Dockerfile` answers in a second), then dependencies.go: the database check (3) and NotReady (4). `pnpm lab 10 check --watch` re-runs on every save.',
    'Dockerfile: `FROM golang:1.26.5-bookworm@sha256:1ecb7edf… AS build`, `WORKDIR /src`, `COPY go.mod go.sum ./`, `RUN go mod download`, `COPY cmd ./cmd` and `COPY internal ./internal`, `RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags=\'-s -w\' -o /out/catalog ./cmd/catalog`; then `FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872… AS runtime`, `COPY --from=build /out/catalog /catalog`, `USER 65532:65532`, `EXPOSE 8000`, `ENTRYPOINT ["/catalog", "--host", "0.0.0.0", "--port", "8000"]`. The full digests are in the README.',
    'dependencies.go: DatabaseCheck returns `func(ctx context.Context) error { var one int; if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil { return fmt.Errorf("SELECT 1: %w", err) }; return nil }`. NotReady, after the draining test: `for _, dep := range deps { if err := check(ctx, dep); err != nil { return dep.Name + ": " + err.Error() } }`, where `check` does `ctx, cancel := context.WithTimeout(ctx, DependencyTimeout); defer cancel()` and turns a deadline into "no answer within 1s". `pnpm lab 10 diff` shows the rest.',
  ],
});
