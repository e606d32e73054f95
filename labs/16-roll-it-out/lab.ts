import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const decide = 'tooling/rollout/canary/decide.ts';
const alert = 'tooling/rollout/alerts/recommender-page.yml';

export default defineLab({
  title: 'Roll it out: burn-rate page, canary judgement with automatic rollback',
  module: 'polyglot',
  deck: 'slides/polyglot/slides.md#lab-16',
  owns: [
    { path: decide, region: 'judge' },
    { path: decide, region: 'step' },
    { path: alert, region: 'page-alert' },
  ],
  steps: [
    {
      kind: 'vitest',
      name: 'canary decision on recorded runs (vitest)',
      paths: ['labs/16-roll-it-out/check'],
      hint: 'each message names the README step and prints your decisions evaluation by evaluation (`#3 advance to 25 %`). `pnpm exec vitest run labs/16-roll-it-out/check -t nan` runs one recorded run.',
    },
    {
      kind: 'promtool',
      name: 'page alert: promtool test rules',
      tests: ['labs/16-roll-it-out/check/page-alert.test.yml'],
      hint: '"FIRED … where it must stay silent" on the blip: a short window alone pages on a blip; 15 min after a burn stopped: a long window alone keeps paging. "stayed SILENT" on the steady burn: the 6h/30m pair is missing. `promtool test rules labs/16-roll-it-out/check/page-alert.test.yml` runs it alone.',
    },
    { kind: 'tsc', name: 'tsc --noEmit (strict)', hint: 'decide() returns `{ decision, next }`; a `Decision` of action rollback needs sli, value, threshold and reason.' },
  ],
  hints: [
    'Work in README order: valueOf and judge (steps 1-2), then step (3) in tooling/rollout/canary/decide.ts, then the alert (4) in tooling/rollout/alerts/recommender-page.yml. `pnpm lab 16 check --watch` re-runs on save; a failing recorded run prints your decision at every evaluation next to the one expected.',
    'Step 1: a reading that is missing, null or NaN (`Number.isNaN`) is `null`. Step 2: loop over the queries: `value === null` → remember `{ kind: "no-data", sli, threshold }` (the first one) and `continue`; `value > query.max` → return the breach at once; after the loop, the remembered no-data or healthy. Step 4: two pairs of windows joined by `or`, the windows of a pair joined by `and`.',
    'Step 3: breach → rollback with `reason: "breach"`, next = state. no-data → `noDataEvaluations + 1`; at `policy.maxNoData` roll back with `value: null, reason: "no-data"`, else hold (keep healthyEvaluations). healthy → `healthyEvaluations + 1` and noDataEvaluations 0; below evaluationsPerStep hold; else `stepIndex + 1` with both counts 0: `policy.weights[stepIndex]` undefined → promote, else advance to it. Step 4: `(ratio_rate1h > (14.4 * 0.001) and ratio_rate5m > (14.4 * 0.001)) or (ratio_rate6h > (6 * 0.001) and ratio_rate30m > (6 * 0.001))`. `pnpm lab 16 diff` shows the rest.',
  ],
});
