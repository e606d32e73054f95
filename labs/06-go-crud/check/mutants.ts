/**
 * Plausible wrong solutions of lab 6. kit verify applies each to the solved tree and requires
 * `pnpm lab 6 check` to FAIL on a behavioural step (go-test or the probe), not only a linter.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const money = 'go/services/catalog/internal/domain/money.go';
const product = 'go/services/catalog/internal/domain/product.go';
const decode = 'go/services/catalog/internal/ports/decode.go';
const problems = 'go/services/catalog/internal/ports/problems.go';

export default defineMutants([
  {
    name: 'a missing product answers 500 (its sentinel is not in the table)',
    file: problems,
    find: '\t{domain.ErrProductNotFound, problemType{http.StatusNotFound, "product_not_found", "Product not found"}},\n',
    replace: '',
  },
  {
    name: 'a missing product answers 400',
    file: problems,
    find: 'problemType{http.StatusNotFound, "product_not_found"',
    replace: 'problemType{http.StatusBadRequest, "product_not_found"',
  },
  {
    name: 'a 500 shows the error text',
    file: problems,
    find: 'return internalError, internalDetail, nil',
    replace: 'return internalError, err.Error(), nil',
  },
  {
    name: 'a negative price is accepted',
    file: money,
    find: '\tif amountMinor < 0 {\n\t\tproblems = append(problems, invalid("amount_minor", ErrNegativeAmount))\n\t}\n',
    replace: '',
  },
  {
    name: 'a fractional amount is truncated (decoded as a float64)',
    file: decode,
    find: '\tn, err := strconv.ParseInt(string(raw), 10, 64)\n',
    replace: '\tf, err := strconv.ParseFloat(string(raw), 64)\n\tn := int64(f)\n',
  },
  {
    name: 'unknown fields are silently accepted',
    file: decode,
    find: '\t\to.fail(name, "is not a field of this request")\n',
    replace: '\t\t_ = name // accepted silently\n',
  },
  {
    name: 'names are counted in bytes, not code points',
    file: product,
    find: 'if n := utf8.RuneCountInString(name); n < 1 || n > MaxNameLength {',
    replace: 'if n := len(name); n < 1 || n > MaxNameLength || !utf8.ValidString(name) {',
  },
]);
