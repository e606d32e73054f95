// Recorded canary runs (the JSON files beside this one) and a replay of decide() over them, for
// decide.test.ts and lab 16's check. A reading is stored as Prometheus' HTTP API prints a
// sample value: a string ("0.0123", "NaN", "+Inf"); a query that returned no series is absent.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Decision, Reading, StepPolicy } from '../decide.ts';
import { decide, initialState } from '../decide.ts';
import type { CanaryQuery } from '../queries.ts';

export interface RecordedRun {
  readonly name: string;
  readonly description: string;
  readonly policy: StepPolicy;
  /** The decision the run must end with, at which evaluation, and the weights advanced to. */
  readonly expect: {
    readonly result: 'promoted' | 'rolled-back';
    readonly at: number;
    readonly sli?: string;
    readonly reason?: 'breach' | 'no-data';
    readonly advances: readonly number[];
  };
  readonly evaluations: readonly { readonly at: number; readonly readings: Readonly<Record<string, string>> }[];
}

const DIR = fileURLToPath(new URL('.', import.meta.url));

export const recordedRunNames: readonly string[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

export function loadRun(name: string): RecordedRun {
  return { name, ...(JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Omit<RecordedRun, 'name'>) };
}

/** One evaluation's readings as the runtime builds them: Prometheus' strings parsed, NaN kept. */
export function readingsOf(recorded: Readonly<Record<string, string>>): Reading[] {
  return Object.entries(recorded).map(([name, value]) => ({ name, value: Number.parseFloat(value) }));
}

export interface Replay {
  /** The final decision (promote / rollback), or the last one when the run ended undecided. */
  readonly decision: Decision;
  /** Index of the evaluation that decided. */
  readonly at: number;
  readonly advances: number[];
  /** Every decision, in order, for failure messages. */
  readonly trail: string[];
}

type DecideFn = typeof decide;

/** Feeds the run's evaluations to `decideFn` until it promotes or rolls back. */
export function replay(run: RecordedRun, queries: readonly CanaryQuery[], decideFn: DecideFn = decide): Replay {
  let state = initialState;
  const advances: number[] = [];
  const trail: string[] = [];
  let last: Decision = { action: 'hold' };
  for (const [index, evaluation] of run.evaluations.entries()) {
    const { decision, next } = decideFn(state, readingsOf(evaluation.readings), queries, run.policy);
    trail.push(`#${String(index)} ${describe(decision)}`);
    last = decision;
    state = next;
    if (decision.action === 'advance') advances.push(decision.weight);
    if (decision.action === 'promote' || decision.action === 'rollback') return { decision, at: index, advances, trail };
  }
  return { decision: last, at: run.evaluations.length - 1, advances, trail };
}

export function describe(decision: Decision): string {
  switch (decision.action) {
    case 'advance':
      return `advance to ${String(decision.weight)} %`;
    case 'rollback':
      return `rollback (${decision.reason}: ${decision.sli} ${String(decision.value)} > ${String(decision.threshold)})`;
    default:
      return decision.action;
  }
}
