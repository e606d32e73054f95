/** What every step runner receives, and the helpers they share to shape their results. */
import type { Lab } from '../labs.ts';
import type { Step } from '../manifest.ts';
import { lastLinesOf, type RunResult } from '../process.ts';
import type { Failure, StepResult } from '../report/schema.ts';

export interface StepContext {
  /** The repository root the check runs in (the attendee's, or a kit-verify copy). */
  readonly root: string;
  readonly lab: Lab;
  /** Absolute paths of the tools this step declared, resolved before any step ran. */
  readonly tools: ReadonlyMap<string, string>;
  /** A scratch folder for machine output (JUnit XML and the like), removed after the check. */
  readonly scratch: string;
  /** Set when the check no longer needs this step (kit verify's fail-fast): stop at once. */
  readonly signal?: AbortSignal | undefined;
  /** kit verify's fail-fast: a test step may stop at its first failing test (pytest -x, go test -failfast). */
  readonly failFast?: boolean | undefined;
}

export type StepOf<K extends Step['kind']> = Extract<Step, { kind: K }>;

export function stepLabel(step: Step): string {
  return step.name ?? step.kind;
}

export function timeoutMs(step: Step, fallbackSeconds = 300): number {
  return (step.timeoutSeconds ?? fallbackSeconds) * 1000;
}

export function tool(ctx: StepContext, name: string): string {
  const found = ctx.tools.get(name);
  if (!found) throw new Error(`tool ${name} was not resolved before the step ran`);
  return found;
}

/** Enough for --json readers; the text report shows the first few. */
const MAX_FAILURES = 50;

/** Builds the step's result from what the tool said; a timeout or crash is an `error`. */
export function verdict(step: Step, ran: RunResult, failures: Failure[], crashedWhen: boolean): StepResult {
  const base = { step: stepLabel(step), kind: step.kind, ms: Math.round(ran.ms) };
  if (ran.timedOut) return { status: 'error', ...base, why: `timed out after ${Math.round(timeoutMs(step) / 1000)} s` };
  if (ran.code === 0 && failures.length === 0) return { status: 'pass', ...base };
  if (failures.length === 0 || crashedWhen) {
    const tail = lastLinesOf(`${ran.stdout}\n${ran.stderr}`, 12);
    if (crashedWhen) return { status: 'error', ...base, why: tail || `exited with status ${String(ran.code)}` };
    failures = [{ message: tail || `exited with status ${String(ran.code)}` }];
  }
  return {
    status: 'fail',
    ...base,
    failures: failures.slice(0, MAX_FAILURES),
    ...(step.hint ? { hint: step.hint } : {}),
  };
}


/** The repository-relative form of a path a tool printed (absolute or relative to root). */
export function relativeTo(root: string, file: string): string {
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}
