/**
 * `pnpm rollout canary`: the candidate (recommender v2) gets 5 → 25 → 50 → 100 % of the
 * gateway's traffic under steady load; at each evaluation the SLI queries
 * (tooling/rollout/canary/queries.ts) are read from Prometheus for `version="v2"` and handed to
 * decide() (tooling/rollout/canary/decide.ts), whose decision is carried out at once: advance
 * (PUT the next weight), promote, or roll back (v1=100 before anything else).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { canaryQueries, renderQuery, type CanaryQuery } from '../canary/queries.ts';
import { decide, initialState, type CanaryState, type Decision, type Reading, type StepPolicy } from '../canary/decide.ts';
import { mintDevJwt } from '../../probes/dev-jwt.ts';
import { startLoad, type LoadCounts, type RunningLoad } from './load.ts';
import { RolloutError, type RunningPrometheus } from './prometheus.ts';
import { startRolloutStack, type Faults, type RolloutStack, type Weights } from './stack.ts';

export type Candidate = 'good' | 'faulty';

/** What the faulty candidate is started with: a fifth of its RPCs INTERNAL, and 300 ms extra each. */
export const FAULTY: Faults = { errorRate: 0.2, latencyMs: 300 };

export const RECOMMENDATIONS_PATH = '/users/u-1/recommendations?language=es&limit=5';

export interface CanaryTiming {
  /** Steady load on the gateway (req/s). */
  readonly rate: number;
  /** Between two evaluations (ms). */
  readonly evaluateEveryMs: number;
  /** The PromQL rate window: a few scrapes at 1 s. */
  readonly window: string;
  /** Load on v1 only before the first weight, so every series exists (ms). */
  readonly warmupMs: number;
  /** Load kept on after a rollback, to show the failures stop (ms). */
  readonly afterRollbackMs: number;
  /** Evaluations at most, whatever decide() says (bounded run time). */
  readonly maxEvaluations: number;
}

export const DEFAULT_POLICY: StepPolicy = { weights: [5, 25, 50, 100], evaluationsPerStep: 3, maxNoData: 5 };
export const DEFAULT_TIMING: CanaryTiming = { rate: 50, evaluateEveryMs: 2_000, window: '10s', warmupMs: 3_000, afterRollbackMs: 2_000, maxEvaluations: 40 };

export interface Evaluation {
  /** The candidate's weight while the readings were taken. */
  readonly weight: number;
  readonly readings: readonly Reading[];
  readonly decision: Decision;
  /** ms since the candidate first got traffic. */
  readonly at: number;
  /** Gateway answers since the previous evaluation. */
  readonly load: LoadCounts;
}

export interface CanaryReport {
  readonly result: 'promoted' | 'rolled-back';
  readonly candidate: Candidate;
  readonly policy: StepPolicy;
  readonly window: string;
  readonly rate: number;
  readonly thresholds: readonly { readonly name: string; readonly max: number; readonly unit: string }[];
  readonly steps: readonly Evaluation[];
  readonly requests: number;
  readonly failed: number;
  readonly finalWeights: Weights;
  /** From the candidate's first traffic to the gateway confirming v1=100 (rolled back only). */
  readonly rollbackAfterMs?: number;
  /** The rollback decision itself (rolled back only). */
  readonly rollback?: Extract<Decision, { action: 'rollback' }> & { readonly weight: number };
  /** Gateway answers in the `afterRollbackMs` after the rollback (all on v1). */
  readonly afterRollback?: LoadCounts;
  readonly durationMs: number;
}


const candidateTraffic = (window: string): string => `sum(rate(recommender_rpc_duration_seconds_count{job="recommender",version="v2"}[${window}]))`;

/**
 * One SLI's reading for the candidate. A ratio whose query has no series while the candidate IS
 * serving reads 0: the numerator of `error-rate` only exists once a server-side error happened,
 * so a healthy candidate would otherwise never have data. Without candidate traffic it stays null.
 */
export async function readSli(prometheus: Pick<RunningPrometheus, 'query'>, q: CanaryQuery, window: string): Promise<Reading> {
  const value = await prometheus.query(renderQuery(q, { version: 'v2', window }));
  if (value !== null || q.unit !== 'ratio') return { name: q.name, value };
  const traffic = await prometheus.query(candidateTraffic(window));
  return { name: q.name, value: traffic !== null && traffic > 0 ? 0 : null };
}

export const weightsFor = (candidateWeight: number): Weights => ({ v1: 100 - candidateWeight, v2: candidateWeight });

export interface CanaryRun {
  readonly root: string;
  readonly candidate: Candidate;
  readonly policy?: StepPolicy;
  readonly timing?: Partial<CanaryTiming>;
  readonly log?: (line: string) => void;
  /** Registers what must be stopped if the run is interrupted. */
  readonly onResource?: (stop: () => Promise<unknown>) => void;
}

export async function runCanary(options: CanaryRun): Promise<CanaryReport> {
  const policy = options.policy ?? DEFAULT_POLICY;
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const log = options.log ?? ((): void => undefined);
  const started = performance.now();
  const stack: RolloutStack = await startRolloutStack({ root: options.root, ...(options.onResource ? { onResource: options.onResource } : {}), ...(options.candidate === 'faulty' ? { candidateFaults: FAULTY } : {}), log });
  let load: RunningLoad | undefined;
  try {
    load = startLoad({ url: stack.gatewayUrl + RECOMMENDATIONS_PATH, rate: timing.rate, headers: { authorization: `Bearer ${mintDevJwt({}, { ttlSeconds: 3600 })}` } });
    const running = load;
    options.onResource?.(() => running.stop());
    log(`load: ${timing.rate} req/s on GET ${RECOMMENDATIONS_PATH}; ${timing.warmupMs} ms on v1 only`);
    await sleep(timing.warmupMs);
    load.mark();
    const first = policy.weights[0];
    if (first === undefined) throw new RolloutError('canary: the policy has no weights');
    let weights = await stack.setWeights(weightsFor(first));
    const canaryStart = performance.now();
    log(`weights ${weights.v1}/${weights.v2}: candidate at ${first}%`);
    let state: CanaryState = initialState;
    const steps: Evaluation[] = [];
    let weight = first;
    const base = (): Pick<CanaryReport, 'candidate' | 'policy' | 'window' | 'rate' | 'thresholds' | 'steps'> => ({
      candidate: options.candidate,
      policy,
      window: timing.window,
      rate: timing.rate,
      thresholds: canaryQueries.map((q) => ({ name: q.name, max: q.max, unit: q.unit })),
      steps,
    });
    for (let i = 0; i < timing.maxEvaluations; i++) {
      await sleep(timing.evaluateEveryMs);
      const readings: Reading[] = [];
      for (const q of canaryQueries) readings.push(await readSli(stack.prometheus, q, timing.window));
      const { decision, next } = decide(state, readings, canaryQueries, policy);
      state = next;
      const evaluation: Evaluation = { weight, readings, decision, at: Math.round(performance.now() - canaryStart), load: load.mark() };
      steps.push(evaluation);
      log(evaluationLine(evaluation));
      if (decision.action === 'rollback') {
        weights = await stack.setWeights({ v1: 100, v2: 0 });
        const rollbackAfterMs = Math.round(performance.now() - canaryStart);
        log(`rolled back: weights ${weights.v1}/${weights.v2} ${rollbackAfterMs} ms after the candidate first got traffic`);
        await sleep(timing.afterRollbackMs);
        const afterRollback = load.mark();
        const totals = await load.stop();
        return { result: 'rolled-back', ...base(), requests: totals.requests, failed: totals.failed, finalWeights: weights, rollbackAfterMs, rollback: { ...decision, weight }, afterRollback, durationMs: Math.round(performance.now() - started) };
      }
      if (decision.action === 'advance') {
        weights = await stack.setWeights(weightsFor(decision.weight));
        weight = decision.weight;
        log(`weights ${weights.v1}/${weights.v2}: candidate at ${weight}%`);
      }
      if (decision.action === 'promote') {
        weights = await stack.setWeights(weightsFor(100));
        const totals = await load.stop();
        return { result: 'promoted', ...base(), requests: totals.requests, failed: totals.failed, finalWeights: weights, durationMs: Math.round(performance.now() - started) };
      }
    }
    throw new RolloutError(`canary: no decision after ${timing.maxEvaluations} evaluations (the run is bounded); last weight ${weight}%`);
  } finally {
    await load?.stop();
    await stack.stop();
  }
}

const fmt = (value: number | null, unit: string): string => (value === null ? 'no data' : unit === 'seconds' ? `${(value * 1000).toFixed(1)} ms` : value.toFixed(3));
const unitOf = (name: string): string => canaryQueries.find((q) => q.name === name)?.unit ?? 'ratio';

export function decisionText(d: Decision): string {
  switch (d.action) {
    case 'hold':
      return 'hold';
    case 'advance':
      return `advance to ${d.weight}%`;
    case 'promote':
      return 'promote';
    case 'rollback':
      return `ROLLBACK (${d.sli} ${d.reason === 'breach' ? `${fmt(d.value, unitOf(d.sli))} > ${fmt(d.threshold, unitOf(d.sli))}` : 'no data'})`;
  }
}

export function evaluationLine(e: Evaluation): string {
  const readings = e.readings.map((r) => `${r.name}=${fmt(r.value, unitOf(r.name))}`).join(' ');
  return `[${(e.at / 1000).toFixed(1)} s] candidate ${String(e.weight).padStart(3)}%  ${readings}  gateway ${e.load.requests} req, ${e.load.failed} failed  → ${decisionText(e.decision)}`;
}

/** The text report's closing lines. */
export function canarySummary(r: CanaryReport): string[] {
  const lines = [`canary (${r.candidate} candidate): ${r.result === 'promoted' ? 'PROMOTED' : 'ROLLED BACK'} after ${r.steps.length} evaluations, ${(r.durationMs / 1000).toFixed(1)} s`];
  if (r.rollback) {
    const unit = unitOf(r.rollback.sli);
    const what = r.rollback.reason === 'breach' ? `value ${fmt(r.rollback.value, unit)} above the threshold ${fmt(r.rollback.threshold, unit)}` : `no data for ${r.policy.maxNoData} evaluations (threshold ${fmt(r.rollback.threshold, unit)})`;
    lines.push(`  step: candidate at ${r.rollback.weight}% (step ${r.policy.weights.indexOf(r.rollback.weight) + 1} of ${r.policy.weights.length})`);
    lines.push(`  SLI: ${r.rollback.sli}: ${what}`);
    lines.push(`  weights back to v1=100 ${r.rollbackAfterMs ?? '?'} ms after the candidate first got traffic`);
    if (r.afterRollback) lines.push(`  after the rollback: ${r.afterRollback.requests} requests, ${r.afterRollback.failed} failed`);
  }
  lines.push(`  gateway: ${r.requests} requests, ${r.failed} failed; final weights v1=${r.finalWeights.v1} v2=${r.finalWeights.v2}`);
  return lines;
}
