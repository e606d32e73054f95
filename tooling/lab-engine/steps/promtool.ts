/**
 * The promtool step: `promtool test rules` on alerting-rule unit tests. A failed alert
 * assertion becomes one failure naming the test, the alert, the evaluation time, and whether it
 * paged when it must not (or stayed silent when it must page).
 */
import { run } from '../process.ts';
import type { Failure, StepResult } from '../report/schema.ts';
import { timeoutMs, tool, verdict, type StepContext, type StepOf } from './context.ts';

/** The failed alert assertions in promtool's `test rules` output (it prints them on stderr). */
export function promtoolFailures(output: string): Failure[] {
  const failures: Failure[] = [];
  const block = /^\s*name: (.*),\n\s*alertname: (\S+), time: (\S+), ?\n\s*exp:\[([\s\S]*?)\], ?\n\s*got:\[([\s\S]*?)\]\s*$/gm;
  for (const m of output.matchAll(block)) {
    const [, test = '', alert = '', time = '', exp = '', got = ''] = m;
    const expected = (exp.match(/Labels:/g) ?? []).length;
    const fired = (got.match(/Labels:/g) ?? []).length;
    const message =
      expected === 0 && fired > 0
        ? `${alert} FIRED at ${time} where it must stay silent`
        : expected > 0 && fired === 0
          ? `${alert} stayed SILENT at ${time} where it must fire`
          : `${alert} at ${time}: expected ${String(expected)} alert(s), got ${String(fired)}\n${got.trim().split('\n').slice(0, 4).join('\n')}`;
    failures.push({ test, message });
  }
  return failures;
}

export async function promtool(ctx: StepContext, step: StepOf<'promtool'>): Promise<StepResult> {
  const ran = await run(tool(ctx, 'promtool'), ['test', 'rules', ...step.tests], {
    cwd: ctx.root,
    env: process.env,
    timeoutMs: timeoutMs(step, 60),
    signal: ctx.signal,
  });
  const failures = promtoolFailures(`${ran.stdout}\n${ran.stderr}`);
  // A rule file that does not parse has no alert assertions to report: its errors are the tail.
  return verdict(step, ran, failures, false);
}
