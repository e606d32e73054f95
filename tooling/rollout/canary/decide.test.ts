import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe as group, expect, it } from 'vitest';
import { decide, initialState, judge, type CanaryState, type StepPolicy } from './decide.ts';
import { canaryQueries, type CanaryQuery } from './queries.ts';
import { expectedValues, querySeries } from './testdata/queries-series.ts';
import { loadRun, recordedRunNames, replay } from './testdata/replay.ts';
import { renderQuery } from './queries.ts';

const policy: StepPolicy = { weights: [5, 25, 50, 100], evaluationsPerStep: 3, maxNoData: 3 };
const healthy = [
  { name: 'error-rate', value: 0.001 },
  { name: 'latency-p99', value: 0.05 },
];

group('decide on recorded runs', () => {
  it('has the recorded runs', () => {
    expect(recordedRunNames).toEqual(expect.arrayContaining(['good', 'faulty-error-rate', 'faulty-latency', 'gaps', 'no-data', 'nan']));
  });
  for (const name of recordedRunNames) {
    it(name, () => {
      const run = loadRun(name);
      const got = replay(run, canaryQueries);
      const result = got.decision.action === 'promote' ? 'promoted' : got.decision.action === 'rollback' ? 'rolled-back' : 'undecided';
      expect({ result, at: got.at, advances: got.advances }, got.trail.join('\n')).toEqual({ result: run.expect.result, at: run.expect.at, advances: run.expect.advances });
      const decision = got.decision;
      if (decision.action === 'rollback') {
        expect(decision.sli).toBe(run.expect.sli);
        expect(decision.reason).toBe(run.expect.reason);
        const query = canaryQueries.find((q) => q.name === decision.sli);
        expect(decision.threshold).toBe(query?.max);
      }
    });
  }
});

group('decide, one evaluation', () => {
  it('holds on a healthy evaluation until evaluationsPerStep, then advances and resets the counts', () => {
    const first = decide(initialState, healthy, canaryQueries, policy);
    expect(first).toEqual({ decision: { action: 'hold' }, next: { stepIndex: 0, healthyEvaluations: 1, noDataEvaluations: 0 } });
    const third = decide({ stepIndex: 0, healthyEvaluations: 2, noDataEvaluations: 1 }, healthy, canaryQueries, policy);
    expect(third).toEqual({ decision: { action: 'advance', weight: 25 }, next: { stepIndex: 1, healthyEvaluations: 0, noDataEvaluations: 0 } });
  });

  it('promotes after the last weight', () => {
    const got = decide({ stepIndex: 3, healthyEvaluations: 2, noDataEvaluations: 0 }, healthy, canaryQueries, policy);
    expect(got.decision).toEqual({ action: 'promote' });
    expect(got.next.stepIndex).toBe(4);
  });

  it('rolls back at once on a breach, naming the SLI, value and threshold', () => {
    const state: CanaryState = { stepIndex: 2, healthyEvaluations: 2, noDataEvaluations: 0 };
    const got = decide(state, [{ name: 'error-rate', value: 0.001 }, { name: 'latency-p99', value: 0.4 }], canaryQueries, policy);
    expect(got.decision).toEqual({ action: 'rollback', sli: 'latency-p99', value: 0.4, threshold: 0.25, reason: 'breach' });
  });

  it('treats +Inf (every observation beyond the last bucket) as a breach', () => {
    const got = decide(initialState, [{ name: 'error-rate', value: 0 }, { name: 'latency-p99', value: Number.POSITIVE_INFINITY }], canaryQueries, policy);
    expect(got.decision).toMatchObject({ action: 'rollback', sli: 'latency-p99', reason: 'breach' });
  });

  it('a breach wins over missing data in the same evaluation', () => {
    const got = decide(initialState, [{ name: 'latency-p99', value: 1 }], canaryQueries, policy);
    expect(got.decision).toMatchObject({ action: 'rollback', sli: 'latency-p99', reason: 'breach' });
  });

  it('the threshold itself is healthy; just above it is not', () => {
    expect(judge([{ name: 'error-rate', value: 0.01 }, { name: 'latency-p99', value: 0.25 }], canaryQueries)).toEqual({ kind: 'healthy' });
    expect(judge([{ name: 'error-rate', value: 0.0100001 }, { name: 'latency-p99', value: 0.25 }], canaryQueries)).toMatchObject({ kind: 'breach', sli: 'error-rate' });
  });

  it('null, NaN, a missing reading and an empty list are no data: hold, then roll back after maxNoData in a row', () => {
    for (const readings of [[], [{ name: 'error-rate', value: null }, { name: 'latency-p99', value: 0.05 }], [{ name: 'error-rate', value: Number.NaN }, { name: 'latency-p99', value: 0.05 }], [{ name: 'latency-p99', value: 0.05 }]]) {
      const one = decide(initialState, readings, canaryQueries, policy);
      expect(one).toEqual({ decision: { action: 'hold' }, next: { stepIndex: 0, healthyEvaluations: 0, noDataEvaluations: 1 } });
      const third = decide({ stepIndex: 1, healthyEvaluations: 1, noDataEvaluations: 2 }, readings, canaryQueries, policy);
      expect(third.decision).toEqual({ action: 'rollback', sli: 'error-rate', value: null, threshold: 0.01, reason: 'no-data' });
    }
  });

  it('no data keeps the healthy count; a healthy evaluation restarts the no-data count', () => {
    const gap = decide({ stepIndex: 1, healthyEvaluations: 2, noDataEvaluations: 0 }, [], canaryQueries, policy);
    expect(gap.next).toEqual({ stepIndex: 1, healthyEvaluations: 2, noDataEvaluations: 1 });
    const back = decide({ stepIndex: 1, healthyEvaluations: 1, noDataEvaluations: 2 }, healthy, canaryQueries, policy);
    expect(back.next).toEqual({ stepIndex: 1, healthyEvaluations: 2, noDataEvaluations: 0 });
  });

  it('ignores readings for names that are not queries, and a query without a reading is no data', () => {
    const extra = [...healthy, { name: 'latency-p50', value: 99 }, { name: 'v1:error-rate', value: 1 }];
    expect(decide(initialState, extra, canaryQueries, policy).decision).toEqual({ action: 'hold' });
    const queries: CanaryQuery[] = [...canaryQueries, { name: 'saturation', description: 'x', promql: 'x', max: 0.8, unit: 'ratio' }];
    expect(decide(initialState, healthy, queries, policy).decision).toEqual({ action: 'hold' });
    expect(judge(healthy, queries)).toEqual({ kind: 'no-data', sli: 'saturation', threshold: 0.8 });
  });

  it('is pure: the state passed in is not changed', () => {
    const state = Object.freeze({ stepIndex: 0, healthyEvaluations: 2, noDataEvaluations: 0 });
    decide(state, healthy, canaryQueries, policy);
    expect(state).toEqual({ stepIndex: 0, healthyEvaluations: 2, noDataEvaluations: 0 });
  });

  it('refuses a canary that cannot be judged or has ended', () => {
    expect(() => decide(initialState, healthy, [], policy)).toThrow(/no queries/);
    expect(() => decide(initialState, healthy, canaryQueries, { ...policy, weights: [] })).toThrow(/weights is empty/);
    expect(() => decide(initialState, healthy, canaryQueries, { ...policy, evaluationsPerStep: 0 })).toThrow(/evaluationsPerStep/);
    expect(() => decide(initialState, healthy, canaryQueries, { ...policy, maxNoData: 0 })).toThrow(/maxNoData/);
    expect(() => decide({ stepIndex: 4, healthyEvaluations: 0, noDataEvaluations: 0 }, healthy, canaryQueries, policy)).toThrow(/has ended/);
  });
});

// The readings decide() judges come from these queries: check the real PromQL on synthetic
// series with promtool (Debian's prometheus package), as the promtool gates do: skipped without
// it, except in CI.
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
group('the canary queries on recorded scrape series (promtool)', () => {
  it.skipIf(!PROMTOOL && process.env['CI'] !== 'true')("select the candidate's version, count server codes only, and give the p99", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'canary-queries-'));
    try {
      const cases = canaryQueries.flatMap((q) =>
        (['v1', 'v2'] as const).map((version) => ({
          // promtool compares exactly: round away the float noise of rate() and the interpolation.
          expr: `round(${renderQuery(q, { version, window: '1m' })}, 0.0001)`,
          eval_time: '5m',
          exp_samples: [{ labels: '{}', value: expectedValues[q.name]?.[version] }],
        })),
      );
      const test = { rule_files: [], evaluation_interval: '1m', tests: [{ interval: '15s', input_series: querySeries, promql_expr_test: cases }] };
      writeFileSync(path.join(dir, 'queries.test.yml'), JSON.stringify(test, null, 1));
      const ran = spawnSync(PROMTOOL ?? 'promtool', ['test', 'rules', 'queries.test.yml'], { cwd: dir, encoding: 'utf8' });
      expect(ran.status, `${ran.stdout}${ran.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
