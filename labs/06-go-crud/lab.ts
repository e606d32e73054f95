import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const dir = 'go/services/catalog';
// The packages this lab touches; the acceptance tests live in the module (Go tests cannot
// import internal packages from outside it) in a package only this lab runs.
const touched = ['./internal/domain/...', './internal/ports/...', './internal/labchecks/lab06/...'];

export default defineLab({
  title: 'Go CRUD: interfaces near consumers, sentinel errors, table-driven tests',
  module: 'go',
  deck: 'slides/go/slides.md#lab-6',
  owns: [
    { path: 'go/services/catalog/internal/domain/money.go' },
    { path: 'go/services/catalog/internal/domain/product.go' },
    { path: 'go/services/catalog/internal/ports/decode.go' },
    { path: 'go/services/catalog/internal/ports/problems.go' },
  ],
  steps: [
    { kind: 'gofmt', name: 'gofmt -l', dir, hint: 'run `gofmt -w .` in go/services/catalog (most editors do it on save).' },
    { kind: 'go-vet', name: 'go vet', dir, packages: touched },
    { kind: 'staticcheck', name: 'staticcheck', dir, packages: touched },
    {
      kind: 'golangci-lint',
      name: 'golangci-lint',
      dir,
      packages: touched,
      hint: 'the linter names the rule; `unused` means a helper you declared is not called yet.',
    },
    {
      kind: 'go-test',
      name: 'acceptance tests (go test -race)',
      dir,
      packages: ['./internal/labchecks/lab06/...'],
      hint: 'each message names the file and README step of its TODO(lab 6); start with the domain (steps 1-2).',
    },
    {
      kind: 'probe',
      name: 'HTTP contract probe',
      service: 'go-catalog',
      module: 'check/probe.ts',
      hint: 'the probe drives the real binary over HTTP with the contract both catalogs answer: a 500 here means an error reached the edge unmapped (README step 4).',
    },
  ],
  hints: [
    'Work in README order: Money (step 1), the product name (step 2), strict JSON (step 3), the error table (step 4). Each TODO(lab 6) comment says what to call. `pnpm lab 6 check --watch` re-runs on every save; `go test ./internal/labchecks/lab06/ -run Money` in go/services/catalog runs one test.',
    'Rules return sentinel errors wrapped by invalid(field, ErrX) and joined with errors.Join, so errors.Is finds each. Name: strings.TrimSpace, then utf8.RuneCountInString. Amounts: strconv.ParseInt(string(raw), 10, 64) is strict on its own; errors.Is(err, strconv.ErrRange) means beyond int64. Unknown members: every key of o.members not in o.read.',
    'The edge table is two lines: `{domain.ErrProductNotFound, problemType{http.StatusNotFound, "product_not_found", "Product not found"}}` and the same for ErrSKUAlreadyExists with http.StatusConflict; problemFor returns internalDetail (never err.Error()) for anything else. `pnpm lab 6 diff` shows the rest.',
  ],
});
