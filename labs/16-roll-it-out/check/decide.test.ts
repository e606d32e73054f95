// Lab 16's acceptance tests of the canary's decision (tooling/rollout/canary/decide.ts): the
// recorded runs in tooling/rollout/canary/testdata replayed through decide(), then the rules one
// evaluation at a time. Every message names the README step and its TODO(lab 16).
import { describe, expect, it } from 'vitest';
import { decide, initialState, judge, valueOf, type StepPolicy } from '../../../tooling/rollout/canary/decide.ts';
import { canaryQueries } from '../../../tooling/rollout/canary/queries.ts';
import { loadRun, replay } from '../../../tooling/rollout/canary/testdata/replay.ts';

const policy: StepPolicy = { weights: [5, 25, 50, 100], evaluationsPerStep: 3, maxNoData: 3 };
const at = (errorRate: number | null, p99: number | null) => [
  { name: 'error-rate', value: errorRate },
  { name: 'latency-p99', value: p99 },
];

const where: Record<string, string> = {
  good: 'steps 2-3',
  'faulty-error-rate': 'step 2 (judge: a value above max is a breach)',
  'faulty-latency': 'step 2 (judge: every query, the p99 too)',
  gaps: 'steps 1-3 (no data is never healthy, and a gap does not restart the count)',
  'no-data': 'steps 2-3 (no data: hold, then roll back after maxNoData)',
  nan: 'step 1 (NaN is no value)',
  'at-threshold': 'step 2 (max itself is healthy: compare with >, not >=)',
  'stable-series': "step 1 (only the candidate's own reading, by its exact name)",
};

describe('recorded canary runs (tooling/rollout/canary/testdata)', () => {
  for (const name of Object.keys(where)) {
    it(name, () => {
      const run = loadRun(name);
      const got = replay(run, canaryQueries);
      const result = got.decision.action === 'promote' ? 'promoted' : got.decision.action === 'rollback' ? 'rolled-back' : 'still undecided';
      const expected = run.expect.result === 'promoted' ? `promoted at evaluation #${String(run.expect.at)}` : `rolled back (${run.expect.reason ?? ''} of ${run.expect.sli ?? ''}) at evaluation #${String(run.expect.at)}`;
      const message = `README ${where[name] ?? ''}, the TODO(lab 16) in tooling/rollout/canary/decide.ts. Run "${name}": ${run.description}\nExpected: ${expected}. Your decisions:\n${got.trail.join('\n')}\n`;
      expect(`${result} at evaluation #${String(got.at)}`, message).toBe(`${run.expect.result} at evaluation #${String(run.expect.at)}`);
      expect(got.advances, message).toEqual(run.expect.advances);
      if (got.decision.action === 'rollback') {
        expect({ sli: got.decision.sli, reason: got.decision.reason, threshold: got.decision.threshold }, message).toEqual({
          sli: run.expect.sli,
          reason: run.expect.reason,
          threshold: canaryQueries.find((q) => q.name === run.expect.sli)?.max,
        });
      }
    });
  }
});

describe('step 1: valueOf (TODO(lab 16))', () => {
  it('a missing reading, null and NaN are no value; a number (even +Inf) is one', () => {
    const m = 'README step 1, the TODO(lab 16) in valueOf';
    expect(valueOf([], 'error-rate'), `${m}: no reading at all`).toBeNull();
    expect(valueOf([{ name: 'error-rate', value: null }], 'error-rate'), `${m}: a null reading`).toBeNull();
    expect(valueOf([{ name: 'error-rate', value: Number.NaN }], 'error-rate'), `${m}: NaN (0/0: the candidate served nothing)`).toBeNull();
    expect(valueOf([{ name: 'v1:error-rate', value: 0.5 }, { name: 'error-rate', value: 0.02 }], 'error-rate'), `${m}: another series' reading is not this one`).toBe(0.02);
    expect(valueOf([{ name: 'latency-p99', value: Number.POSITIVE_INFINITY }], 'latency-p99'), `${m}: +Inf is a value (every call slower than the last bucket)`).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('step 2: judge (TODO(lab 16))', () => {
  const m = 'README step 2, the TODO(lab 16) in judge';
  it('a value above max is a breach naming the SLI, its value and the threshold; max itself is healthy', () => {
    expect(judge(at(0.01, 0.25), canaryQueries), `${m}: exactly at both thresholds`).toEqual({ kind: 'healthy' });
    expect(judge(at(0.2, 0.05), canaryQueries), `${m}: 20 % errors`).toEqual({ kind: 'breach', sli: 'error-rate', value: 0.2, threshold: 0.01 });
    expect(judge(at(0.001, 0.3), canaryQueries), `${m}: p99 0.3 s`).toEqual({ kind: 'breach', sli: 'latency-p99', value: 0.3, threshold: 0.25 });
  });
  it('no value for a query is no-data, never healthy; a breach elsewhere still wins', () => {
    expect(judge(at(null, 0.05), canaryQueries), `${m}: no error-rate`).toEqual({ kind: 'no-data', sli: 'error-rate', threshold: 0.01 });
    expect(judge([{ name: 'error-rate', value: 0.001 }], canaryQueries), `${m}: no latency reading at all`).toEqual({ kind: 'no-data', sli: 'latency-p99', threshold: 0.25 });
    expect(judge(at(null, 0.9), canaryQueries), `${m}: no error-rate, but p99 0.9 s`).toMatchObject({ kind: 'breach', sli: 'latency-p99' });
  });
});

describe('step 3: the step logic (TODO(lab 16))', () => {
  const m = 'README step 3, the TODO(lab 16) in step';
  it('holds until evaluationsPerStep healthy evaluations, then advances; promotes after the last weight', () => {
    expect(decide(initialState, at(0.001, 0.05), canaryQueries, policy), `${m}: the first healthy evaluation`).toEqual({ decision: { action: 'hold' }, next: { stepIndex: 0, healthyEvaluations: 1, noDataEvaluations: 0 } });
    expect(decide({ stepIndex: 1, healthyEvaluations: 2, noDataEvaluations: 0 }, at(0.001, 0.05), canaryQueries, policy), `${m}: the third healthy evaluation at 25 %`).toEqual({ decision: { action: 'advance', weight: 50 }, next: { stepIndex: 2, healthyEvaluations: 0, noDataEvaluations: 0 } });
    expect(decide({ stepIndex: 3, healthyEvaluations: 2, noDataEvaluations: 0 }, at(0.001, 0.05), canaryQueries, policy).decision, `${m}: the third healthy evaluation at 100 %`).toEqual({ action: 'promote' });
  });
  it('rolls back at once on a breach, whatever the counts', () => {
    expect(decide({ stepIndex: 2, healthyEvaluations: 2, noDataEvaluations: 0 }, at(0.05, 0.05), canaryQueries, policy).decision, `${m}: 5 % errors at 50 %`).toEqual({ action: 'rollback', sli: 'error-rate', value: 0.05, threshold: 0.01, reason: 'breach' });
  });
  it('no data holds without counting as healthy, and rolls back after maxNoData in a row', () => {
    expect(decide({ stepIndex: 1, healthyEvaluations: 2, noDataEvaluations: 0 }, [], canaryQueries, policy), `${m}: a gap after two healthy evaluations`).toEqual({ decision: { action: 'hold' }, next: { stepIndex: 1, healthyEvaluations: 2, noDataEvaluations: 1 } });
    expect(decide({ stepIndex: 1, healthyEvaluations: 0, noDataEvaluations: 2 }, [], canaryQueries, policy).decision, `${m}: the third gap in a row`).toEqual({ action: 'rollback', sli: 'error-rate', value: null, threshold: 0.01, reason: 'no-data' });
    expect(decide({ stepIndex: 1, healthyEvaluations: 0, noDataEvaluations: 2 }, at(0.001, 0.05), canaryQueries, policy).next, `${m}: a healthy evaluation after two gaps`).toEqual({ stepIndex: 1, healthyEvaluations: 1, noDataEvaluations: 0 });
  });
});
