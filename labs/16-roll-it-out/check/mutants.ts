/**
 * Plausible wrong solutions of lab 16. kit verify applies each to the solved tree and requires
 * `pnpm lab 16 check` to FAIL on a behavioural step (the vitest replay of the recorded runs, or
 * promtool test rules).
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const decide = 'tooling/rollout/canary/decide.ts';
const alert = 'tooling/rollout/alerts/recommender-page.yml';

export default defineMutants([
  // Steps 1-2: judging one evaluation.
  {
    name: 'missing data is treated as healthy (a candidate nobody can see is promoted)',
    file: decide,
    find: '    if (value === null) {\n      missing ??= { kind: \'no-data\', sli: query.name, threshold: query.max };\n      continue;\n    }\n',
    replace: '    if (value === null) continue;\n',
  },
  {
    name: 'NaN (0/0: the candidate served nothing) counts as a value, and NaN > max is false: healthy',
    file: decide,
    find: ' || Number.isNaN(reading.value)',
    replace: '',
  },
  {
    name: 'the threshold compared with >= (max itself is healthy: a candidate exactly at the SLO is rolled back)',
    file: decide,
    find: '    if (value > query.max) return',
    replace: '    if (value >= query.max) return',
  },
  {
    name: 'the threshold compared the wrong way (healthy below max rolls back, a breach passes)',
    file: decide,
    find: '    if (value > query.max) return',
    replace: '    if (value < query.max) return',
  },
  {
    name: "the reading matched loosely (the stable version's `v1:error-rate` is judged instead of the candidate's)",
    file: decide,
    find: '  const reading = readings.find((r) => r.name === name);\n',
    replace: '  const reading = readings.find((r) => r.name.endsWith(name));\n',
  },
  {
    name: 'the first query without data ends the judgement (a breach of the other SLI is not seen)',
    file: decide,
    find: "      missing ??= { kind: 'no-data', sli: query.name, threshold: query.max };\n      continue;\n",
    replace: "      return { kind: 'no-data', sli: query.name, threshold: query.max };\n",
  },
  // Step 3: the step logic.
  {
    name: 'no data never rolls back (the canary waits forever on a candidate that is down)',
    file: decide,
    find: '      const noDataEvaluations = state.noDataEvaluations + 1;\n',
    replace: '      const noDataEvaluations = state.noDataEvaluations;\n',
  },
  {
    name: 'the no-data count is not restarted by a healthy evaluation (scattered gaps roll back a good candidate)',
    file: decide,
    find: "        return { decision: { action: 'hold' }, next: { ...state, healthyEvaluations, noDataEvaluations: 0 } };\n",
    replace: "        return { decision: { action: 'hold' }, next: { ...state, healthyEvaluations } };\n",
  },
  {
    name: 'advances on the first healthy evaluation (evaluationsPerStep ignored)',
    file: decide,
    find: '      if (healthyEvaluations < policy.evaluationsPerStep) {\n',
    replace: '      if (healthyEvaluations < 1) {\n',
  },
  {
    name: 'promotes on reaching the last weight, without judging the candidate at 100 %',
    file: decide,
    find: '      const weight = policy.weights[stepIndex];\n      if (weight === undefined) return',
    replace: '      const weight = policy.weights[stepIndex];\n      if (weight === undefined || stepIndex === policy.weights.length - 1) return',
  },
  // Step 4: the page alert.
  {
    name: 'a single short window: pages on a one-minute blip',
    file: alert,
    find: '          (\n            recommender:rpc_errors:ratio_rate1h > (14.4 * 0.001)\n            and\n            recommender:rpc_errors:ratio_rate5m > (14.4 * 0.001)\n          )\n          or\n          (\n            recommender:rpc_errors:ratio_rate6h > (6 * 0.001)\n            and\n            recommender:rpc_errors:ratio_rate30m > (6 * 0.001)\n          )\n',
    replace: '          recommender:rpc_errors:ratio_rate5m > (14.4 * 0.001)\n',
  },
  {
    name: 'long windows only: keeps paging long after the burn stopped',
    file: alert,
    find: '          (\n            recommender:rpc_errors:ratio_rate1h > (14.4 * 0.001)\n            and\n            recommender:rpc_errors:ratio_rate5m > (14.4 * 0.001)\n          )\n          or\n          (\n            recommender:rpc_errors:ratio_rate6h > (6 * 0.001)\n            and\n            recommender:rpc_errors:ratio_rate30m > (6 * 0.001)\n          )\n',
    replace: '          recommender:rpc_errors:ratio_rate1h > (14.4 * 0.001)\n          or\n          recommender:rpc_errors:ratio_rate6h > (6 * 0.001)\n',
  },
  {
    name: 'the windows of a pair joined by `or` (the short window alone pages on a blip)',
    file: alert,
    find: '            recommender:rpc_errors:ratio_rate1h > (14.4 * 0.001)\n            and\n',
    replace: '            recommender:rpc_errors:ratio_rate1h > (14.4 * 0.001)\n            or\n',
  },
  {
    name: 'only the 1h/5m pair (a steady 8x burn spends the budget in four days, unpaged)',
    file: alert,
    find: '          or\n          (\n            recommender:rpc_errors:ratio_rate6h > (6 * 0.001)\n            and\n            recommender:rpc_errors:ratio_rate30m > (6 * 0.001)\n          )\n',
    replace: '',
  },
  {
    name: 'the budget of a 99 % SLO (0.01) instead of 99.9 % (0.001): a fast burn never pages',
    file: alert,
    find: '            recommender:rpc_errors:ratio_rate1h > (14.4 * 0.001)\n            and\n            recommender:rpc_errors:ratio_rate5m > (14.4 * 0.001)\n',
    replace: '            recommender:rpc_errors:ratio_rate1h > (14.4 * 0.01)\n            and\n            recommender:rpc_errors:ratio_rate5m > (14.4 * 0.01)\n',
  },
]);
