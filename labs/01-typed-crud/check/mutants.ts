/**
 * Plausible wrong solutions of lab 1. kit verify applies each to the solved tree and requires
 * `pnpm lab 1 check` to FAIL: the check tests behaviour, not the presence of a keyword.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const money = 'python/services/catalog/src/catalog/domain/money.py';
const problems = 'python/services/catalog/src/catalog/entrypoints/http/problem_details.py';
const schemas = 'python/services/catalog/src/catalog/entrypoints/http/schemas.py';

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
]);
