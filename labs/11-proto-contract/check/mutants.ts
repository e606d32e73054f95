/**
 * Plausible wrong solutions of lab 11. kit verify applies each to the solved proto and requires
 * `pnpm lab 11 check` to FAIL on a behavioural step (the pytest check compiles the proto afresh
 * and reads its descriptors).
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const proto = 'proto/recommendations.proto';

export default defineMutants([
  {
    name: 'a field renumbered (idempotency_key moved to 5)',
    file: proto,
    find: 'string idempotency_key = 1;',
    replace: 'string idempotency_key = 5;',
  },
  {
    name: 'a field retyped (score as float)',
    file: proto,
    find: 'double score = 3;',
    replace: 'float score = 3;',
  },
  {
    name: 'the streaming RPC made unary',
    file: proto,
    find: 'returns (stream StreamRecommendationsResponse);',
    replace: 'returns (StreamRecommendationsResponse);',
  },
]);
