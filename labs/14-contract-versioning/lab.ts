import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const proto = 'proto/recommendations.proto';
const service = 'python/services/recommender/src/recommender/service.py';
const touched = [service, 'labs/14-contract-versioning/check'];

export default defineLab({
  title: 'Contract versioning: evolve the proto, buf breaking, old clients keep working',
  module: 'polyglot',
  deck: 'slides/polyglot/slides.md#lab-14',
  owns: [
    { path: proto, region: 'request-v1-1' },
    { path: proto, region: 'recommendation-v1-1' },
    { path: proto, region: 'difficulty-enum' },
    { path: service, region: 'max-difficulty' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: touched },
    { kind: 'ruff-format', name: 'ruff format --check', paths: touched, hint: 'run `.venv/bin/ruff format` on the file (most editors do it on save).' },
    { kind: 'mypy', name: 'mypy --strict', paths: touched },
    {
      kind: 'pytest',
      name: 'contract v1.1: buf breaking vs frozen v1, fields, pnpm gen, v1 client vs new server',
      paths: ['labs/14-contract-versioning/check'],
      hint: 'each message names the README step. `node_modules/.bin/buf breaking proto --against labs/14-contract-versioning/check/v1` shows the breaking findings alone; "run `pnpm gen`" means the generated code is older than your proto.',
    },
  ],
  hints: [
    'Work in README order: the enum (step 1), the two Recommendation fields (step 2), the optional request field (step 3), the reservation (step 4), then `pnpm gen` and the server side (step 5). Only ADD: every v1 number, type and name stays exactly as it is. `pnpm lab 14 check --watch` re-runs on every save.',
    'enum Difficulty { DIFFICULTY_UNSPECIFIED = 0; DIFFICULTY_BEGINNER = 1; DIFFICULTY_INTERMEDIATE = 2; DIFFICULTY_ADVANCED = 3; }. In Recommendation: `repeated string tags = 5;`, `Difficulty difficulty = 6;`, `reserved 7;` and `reserved "level";`. In RecommendRequest: `optional Difficulty max_difficulty = 5;` (the `optional` is the point).',
    'Step 5: `if not request.HasField("max_difficulty"): return None` (a v1 client never sets it), then `level = LEVELS.get(request.max_difficulty)`; None → `raise InvalidArgumentError("…", field="max_difficulty")`; else `return level`. Then `pnpm gen`. `pnpm lab 14 diff` shows the rest.',
  ],
});
