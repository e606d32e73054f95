import { defineLab } from '../../tooling/lab-engine/manifest.ts';

export default defineLab({
  title: 'Typed CRUD: value objects, DTOs, one error edge',
  module: 'python',
  deck: 'slides/python/slides.md#lab-1',
  owns: [
    { path: 'python/services/catalog/src/catalog/domain/money.py' },
    { path: 'python/services/catalog/src/catalog/domain/product.py' },
    { path: 'python/services/catalog/src/catalog/entrypoints/http/schemas.py' },
    { path: 'python/services/catalog/src/catalog/entrypoints/http/problem_details.py' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: ['python/services/catalog', 'labs/01-typed-crud/check'] },
    { kind: 'ruff-format', name: 'ruff format --check', paths: ['python/services/catalog', 'labs/01-typed-crud/check'] },
    {
      kind: 'mypy',
      name: 'mypy --strict',
      paths: ['python/services/catalog/src', 'labs/01-typed-crud/check'],
      hint: 'mypy names the line; `reveal_type(x)` in the code shows what mypy thinks x is.',
    },
    {
      kind: 'pytest',
      name: 'acceptance tests',
      paths: ['labs/01-typed-crud/check'],
      hint: 'each message names the file and the TODO(lab 1) step it is about; start with the domain (steps 1-2).',
    },
    {
      kind: 'probe',
      name: 'HTTP probe',
      service: 'python-catalog',
      module: 'check/probe.ts',
      hint: 'the probe talks HTTP to a real server: a 500 here means an error reached the edge unmapped (README step 4).',
    },
  ],
  hints: [
    'Work in README order: Money (step 1), then Product (step 2), the DTOs (step 3), the error table (step 4) and the validation envelope (step 5). `pnpm lab 1 check --watch` re-runs on every save.',
    'Money: `StrictInt` with `Field(ge=0)` rejects 12.5, true and -1 in one place; `ConfigDict(frozen=True, extra="forbid")` makes it a value object. Product: `@dataclass(frozen=True, slots=True)` and `dataclasses.replace` for `revised`.',
    'The edge: add `ProductNotFoundError: ProblemType(404, "product_not_found", ...)` and `SkuAlreadyExistsError: ProblemType(409, "sku_already_exists", ...)` to DOMAIN_PROBLEMS; for 422 turn each pydantic error\'s `loc` (minus "body") into a dotted `field`. `pnpm lab 1 diff` shows the rest.',
  ],
});
