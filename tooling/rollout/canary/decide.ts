// The canary's decision: one pure function from (where the canary stands, what Prometheus said)
// to (what to do now, where it stands next). No I/O, no clock: the runtime
// (tooling/rollout/runtime) queries Prometheus, calls decide() once per evaluation, and carries
// out the decision (set the gateway's weights, roll back at once, or promote).
//
// The rules, in the order they apply to one evaluation:
//   1. any SLI above its query's `max` is a breach: roll back at once (one bad reading is enough);
//   2. a missing reading (no series, null, NaN) is NEVER healthy: hold, and after `maxNoData`
//      consecutive evaluations without data, roll back (a candidate nobody can see is not promoted);
//   3. otherwise the evaluation is healthy and counts toward `evaluationsPerStep`; when reached,
//      advance to the next weight, or promote after the last one.
import type { CanaryQuery } from './queries.ts';

/** One SLI's value from one evaluation; `null` = the query returned no series, or NaN (0/0). */
export type Reading = { readonly name: string; readonly value: number | null };

/**
 * The rollout plan: the candidate's traffic weights in order (e.g. 5, 25, 50, 100), how many
 * healthy evaluations each weight needs, and how many consecutive no-data evaluations are
 * tolerated before rolling back.
 */
export interface StepPolicy {
  readonly weights: readonly number[];
  readonly evaluationsPerStep: number;
  readonly maxNoData: number;
}

/**
 * Where the canary stands: the candidate is at `weights[stepIndex]` (the runtime sets
 * `weights[0]` before the first evaluation), with so many healthy evaluations at this weight and
 * so many consecutive no-data evaluations. After a promote, `stepIndex === weights.length`.
 */
export interface CanaryState {
  readonly stepIndex: number;
  readonly healthyEvaluations: number;
  readonly noDataEvaluations: number;
}

export type Decision =
  | { readonly action: 'hold' }
  | { readonly action: 'advance'; readonly weight: number }
  | { readonly action: 'promote' }
  | { readonly action: 'rollback'; readonly sli: string; readonly value: number | null; readonly threshold: number; readonly reason: 'breach' | 'no-data' };

/** The judgement of one evaluation, before the step logic turns it into a decision. */
export type Verdict =
  | { readonly kind: 'healthy' }
  | { readonly kind: 'breach'; readonly sli: string; readonly value: number; readonly threshold: number }
  | { readonly kind: 'no-data'; readonly sli: string; readonly threshold: number };

export const initialState: CanaryState = { stepIndex: 0, healthyEvaluations: 0, noDataEvaluations: 0 };

// lab-region:judge begin
// #region judge
/** The usable value of one SLI: its reading's number, or null when there is none to trust. */
export function valueOf(readings: readonly Reading[], name: string): number | null {
  const reading = readings.find((r) => r.name === name);
  if (reading === undefined || reading.value === null || Number.isNaN(reading.value)) return null;
  return reading.value;
}

/**
 * Judges one evaluation against every query: a breach of any SLI wins (value above `max`; `max`
 * itself is healthy); else a query without a usable reading makes it no-data; else healthy.
 * Readings for names that are not queries are ignored.
 */
export function judge(readings: readonly Reading[], queries: readonly CanaryQuery[]): Verdict {
  let missing: Verdict | undefined;
  for (const query of queries) {
    const value = valueOf(readings, query.name);
    if (value === null) {
      missing ??= { kind: 'no-data', sli: query.name, threshold: query.max };
      continue;
    }
    if (value > query.max) return { kind: 'breach', sli: query.name, value, threshold: query.max };
  }
  return missing ?? { kind: 'healthy' };
}
// #endregion judge
// lab-region:judge end

// lab-region:step begin
// #region step
/** Turns one evaluation's verdict into the decision and the next state. */
export function step(state: CanaryState, verdict: Verdict, policy: StepPolicy): { decision: Decision; next: CanaryState } {
  switch (verdict.kind) {
    case 'breach':
      return {
        decision: { action: 'rollback', sli: verdict.sli, value: verdict.value, threshold: verdict.threshold, reason: 'breach' },
        next: state,
      };
    case 'no-data': {
      const noDataEvaluations = state.noDataEvaluations + 1;
      const next = { ...state, noDataEvaluations };
      if (noDataEvaluations >= policy.maxNoData) {
        return { decision: { action: 'rollback', sli: verdict.sli, value: null, threshold: verdict.threshold, reason: 'no-data' }, next };
      }
      // A gap is no evidence either way: the healthy count neither grows nor restarts.
      return { decision: { action: 'hold' }, next };
    }
    case 'healthy': {
      const healthyEvaluations = state.healthyEvaluations + 1;
      if (healthyEvaluations < policy.evaluationsPerStep) {
        return { decision: { action: 'hold' }, next: { ...state, healthyEvaluations, noDataEvaluations: 0 } };
      }
      const stepIndex = state.stepIndex + 1;
      const next = { stepIndex, healthyEvaluations: 0, noDataEvaluations: 0 };
      const weight = policy.weights[stepIndex];
      if (weight === undefined) return { decision: { action: 'promote' }, next };
      return { decision: { action: 'advance', weight }, next };
    }
  }
}
// #endregion step
// lab-region:step end

/** A policy or state that cannot describe a canary is the caller's bug: say which part. */
function assertUsable(state: CanaryState, queries: readonly CanaryQuery[], policy: StepPolicy): void {
  if (queries.length === 0) throw new RangeError('decide: no queries: a canary judged on nothing would always pass');
  if (policy.weights.length === 0) throw new RangeError('decide: policy.weights is empty');
  if (!Number.isInteger(policy.evaluationsPerStep) || policy.evaluationsPerStep < 1) throw new RangeError('decide: policy.evaluationsPerStep must be an integer >= 1');
  if (!Number.isInteger(policy.maxNoData) || policy.maxNoData < 1) throw new RangeError('decide: policy.maxNoData must be an integer >= 1');
  if (!Number.isInteger(state.stepIndex) || state.stepIndex < 0 || state.stepIndex >= policy.weights.length) {
    throw new RangeError(`decide: state.stepIndex ${String(state.stepIndex)} is outside the ${String(policy.weights.length)} weights (a promoted canary has ended)`);
  }
}

/** One evaluation of the canary: judge the readings, then step. Pure. */
export function decide(state: CanaryState, readings: readonly Reading[], queries: readonly CanaryQuery[], policy: StepPolicy): { decision: Decision; next: CanaryState } {
  assertUsable(state, queries, policy);
  return step(state, judge(readings, queries), policy);
}
