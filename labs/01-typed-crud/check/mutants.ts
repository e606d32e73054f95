/**
 * Plausible wrong solutions of lab 1. kit verify applies each to the solved tree and requires
 * `pnpm lab 1 check` to FAIL: the check tests behaviour, not the presence of a keyword.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const money = 'python/services/catalog/src/catalog/domain/money.py';
const problems = 'python/services/catalog/src/catalog/entrypoints/http/problem_details.py';
const schemas = 'python/services/catalog/src/catalog/entrypoints/http/schemas.py';
const product = 'python/services/catalog/src/catalog/domain/product.py';

export default defineMutants([
  {
    name: 'a negative price is accepted',
    file: money,
    find: 'Field(ge=0, le=MAX_AMOUNT_MINOR)',
    replace: 'Field(le=MAX_AMOUNT_MINOR)',
  },
  {
    name: 'a fractional amount is coerced (lax int)',
    file: money,
    find: 'AmountMinor = Annotated[StrictInt,',
    replace: 'AmountMinor = Annotated[int,',
  },
  {
    name: 'a missing product answers 500 (not mapped)',
    file: problems,
    find: '    ProductNotFoundError: ProblemType(404, "product_not_found", "Product not found"),\n',
    replace: '',
  },
  {
    name: 'a missing product answers 400',
    file: problems,
    find: 'ProblemType(404, "product_not_found"',
    replace: 'ProblemType(400, "product_not_found"',
  },
  {
    name: 'unknown body fields are silently dropped',
    file: schemas,
    find: 'model_config = ConfigDict(extra="forbid")',
    replace: 'model_config = ConfigDict(extra="ignore")',
  },
  {
    name: 'a float amount is accepted (money as float)',
    file: money,
    find: 'AmountMinor = Annotated[StrictInt,',
    replace: 'AmountMinor = Annotated[StrictInt | float,',
  },
  {
    name: 'a duplicate SKU answers 400 (the wrong status)',
    file: problems,
    find: 'ProblemType(409, "sku_already_exists"',
    replace: 'ProblemType(400, "sku_already_exists"',
  },
  {
    name: 'an unmapped error leaks its message in the 500',
    file: problems,
    find: '        return internal_error_response()\n    # Domain messages',
    replace: '        return problem_response(INTERNAL, str(exc))\n    # Domain messages',
  },
  {
    name: 'validation errors name the location, not the field ("body.name")',
    file: problems,
    find: 'field = ".".join(location[1:]) or',
    replace: 'field = ".".join(location) or',
  },
  {
    name: 'a blank name is accepted',
    file: product,
    find: 'strip_whitespace=True, min_length=1,',
    replace: 'strip_whitespace=True, min_length=0,',
  },
  {
    name: 'revised() keeps the old price',
    file: product,
    find: 'return replace(self, name=name, price=price)',
    replace: 'return replace(self, name=name)',
  },
  {
    name: 'a create DTO that mirrors the domain Product (the client picks the id)',
    file: schemas,
    find: '    sku: Sku\n    name: ProductName\n    price: Money\n',
    replace: '    id: UUID | None = None\n    sku: Sku\n    name: ProductName\n    price: Money\n',
  },
  {
    name: 'an update DTO that lets the SKU through and ignores it',
    file: schemas,
    find: '    """``PUT /products/{id}``: the SKU is immutable, so it is not part of the body."""\n',
    replace: '    """``PUT /products/{id}``: the SKU is immutable, so it is not part of the body."""\n\n    sku: Sku | None = None\n',
  },
]);
