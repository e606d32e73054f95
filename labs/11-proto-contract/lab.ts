import { defineLab } from '../../tooling/lab-engine/manifest.ts';

export default defineLab({
  title: 'Proto contract + codegen for both stacks, buf lint',
  module: 'polyglot',
  deck: 'slides/polyglot/slides.md#lab-11',
  // Regions, not the whole file: lab 14 evolves other parts of the same contract.
  owns: [
    { path: 'proto/recommendations.proto', region: 'stream-rpc' },
    { path: 'proto/recommendations.proto', region: 'stream-messages' },
    { path: 'proto/recommendations.proto', region: 'feedback' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: ['labs/11-proto-contract/check'] },
    { kind: 'mypy', name: 'mypy --strict (code using the stubs)', paths: ['labs/11-proto-contract/check'] },
    {
      kind: 'pytest',
      name: 'contract from the current proto (+ buf lint)',
      paths: ['labs/11-proto-contract/check'],
      hint: 'each message names the README step; the field table in the README has every number and type. `node_modules/.bin/buf lint proto` shows lint findings alone.',
    },
  ],
  hints: [
    'Work in README order: the streaming RPC and its two messages (step 3), the idempotency key (step 4), then buf lint (step 5). `pnpm lab 11 check --watch` re-runs on every save.',
    'Server streaming is `rpc StreamRecommendations(StreamRecommendationsRequest) returns (stream StreamRecommendationsResponse);`. The response nests a message: `Recommendation recommendation = 1;` then `int32 position = 2;`. The request is user_id = 1, language = 2, max_items = 3.',
    'RecordFeedbackRequest starts with `string idempotency_key = 1;` (numbers 2-4 are already taken and must not move). buf lint\'s ENUM_ZERO_VALUE_SUFFIX wants `FEEDBACK_KIND_UNSPECIFIED = 0;`. Then `pnpm gen` regenerates Go and Python; `pnpm lab 11 diff` shows the rest.',
  ],
});
