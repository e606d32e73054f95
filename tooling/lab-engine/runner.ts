/**
 * The step runner: checks that the lab's owned files are usable and its tools are installed
 * (bad input is one line and exit 2, before anything runs), then runs the steps — two at a
 * time on a two-core laptop — and reports each as soon as it and every step before it is done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTool } from '../toolchain/tools.ts';
import { MissingToolError, UsageError } from './errors.ts';
import type { Lab } from './labs.ts';
import type { Step } from './manifest.ts';
import { decodeOwned, readCurrentFile, splitRegion } from './owned.ts';
import { describeUnfinished, unfinishedEarlierLabs } from './prerequisites.ts';
import { SCHEMA_ID, type CheckReport, type StepResult } from './report/schema.ts';
import { runStep, toolsFor } from './steps/index.ts';

/** Two steps at once suits a two-core laptop; LAB_CONCURRENCY=1 runs them one by one. */
function defaultConcurrency(): number {
  const fromEnv = Number(process.env['LAB_CONCURRENCY']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 2;
}

export interface RunOptions {
  /** Steps run at once (default 2). */
  readonly concurrency?: number;
  /** Called once per step, in manifest order, as soon as its result (and all before it) is known. */
  readonly onStep?: (result: StepResult, index: number) => void;
  /**
   * kit verify only: run just the steps this accepts (the report lists only those). An
   * attendee's check always runs every step.
   */
  readonly only?: (step: Step) => boolean;
  /**
   * kit verify only (fail-fast): once a step's result satisfies this, start no further step
   * and stop the running ones; the report lists the steps finished before that moment, and
   * the check is a fail when any listed step did not pass.
   */
  readonly stopWhen?: (result: StepResult) => boolean;
  /** kit verify only: test steps stop at their first failing test. */
  readonly failFast?: boolean;
}

/** Every owned part must exist, be UTF-8 text and (for regions) have intact markers. */
export function assertOwnedUsable(root: string, lab: Lab): void {
  for (const part of lab.manifest.owns) {
    const bytes = readCurrentFile(root, part.path);
    if (bytes === undefined) {
      throw new UsageError(`${part.path} (owned by lab ${lab.id}) is missing — \`pnpm lab ${lab.id} restore\` or \`pnpm lab ${lab.id} reset\` brings it back`);
    }
    const text = decodeOwned(bytes, part.path, lab);
    if (part.region) splitRegion(text, part.region, part.path, lab);
  }
}

export function resolveTools(root: string, lab: Lab): Map<string, string> {
  const tools = new Map<string, string>();
  for (const name of new Set(lab.manifest.steps.flatMap((step) => toolsFor(step)))) {
    const found = findTool(root, name);
    if (!found) throw new MissingToolError(name);
    tools.set(name, found);
  }
  return tools;
}

export async function runCheck(root: string, labs: readonly Lab[], lab: Lab, options: RunOptions = {}): Promise<CheckReport> {
  assertOwnedUsable(root, lab);
  const tools = resolveTools(root, lab);
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const scratch = mkdtempSync(path.join(tmpdir(), `lab-${lab.id}-`));
  const steps = options.only ? lab.manifest.steps.filter(options.only) : lab.manifest.steps;
  const results: (StepResult | undefined)[] = steps.map(() => undefined);
  const stop = new AbortController();
  let reported = 0;
  const flush = (): void => {
    while (reported < steps.length && results[reported]) {
      options.onStep?.(results[reported] as StepResult, reported);
      reported++;
    }
  };
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < steps.length && !stop.signal.aborted) {
        const index = next++;
        const step = steps[index];
        if (!step) continue;
        const result = await runStep({ root, lab, tools, scratch, signal: stop.signal, failFast: options.failFast }, step);
        // A step stopped by fail-fast says nothing about the code: leave it out.
        if (stop.signal.aborted) break;
        results[index] = result;
        if (options.stopWhen?.(result)) stop.abort();
        flush();
      }
    };
    const width = Math.max(1, Math.min(options.concurrency ?? defaultConcurrency(), steps.length));
    await Promise.all(Array.from({ length: width }, () => worker()));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const done = results.filter((r): r is StepResult => r !== undefined);
  const passed = done.every((r) => r.status === 'pass');
  const earlier = passed ? [] : unfinishedEarlierLabs(root, labs, lab);
  return {
    schema: SCHEMA_ID,
    lab: { number: lab.number, id: lab.id, slug: lab.slug, title: lab.manifest.title },
    result: passed ? 'pass' : 'fail',
    startedAt,
    ms: Math.round(performance.now() - started),
    steps: done,
    earlierLabs: earlier.map((u) => ({ lab: u.lab.number, title: u.lab.manifest.title, message: describeUnfinished(u, lab) })),
  };
}
