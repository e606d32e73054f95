/**
 * The probe step: start the lab's service on a free port, wait for health, run the lab's
 * probe cases against it, stop it. A service that does not start is a failure of the
 * attendee's code (its last output is the message), not of the kit.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { httpContext, type ProbeCase } from '../../probes/probe.ts';
import { services } from '../../services/registry.ts';
import { startStack } from '../../services/start.ts';
import type { Failure, StepResult } from '../report/schema.ts';
import { stepLabel, timeoutMs, type StepContext, type StepOf } from './context.ts';

export async function probe(ctx: StepContext, step: StepOf<'probe'>): Promise<StepResult> {
  const started = performance.now();
  const base = { step: stepLabel(step), kind: step.kind };
  const elapsed = (): number => Math.round(performance.now() - started);
  const definition = services[step.service];
  if (!definition) return { status: 'error', ...base, ms: elapsed(), why: `unknown service "${step.service}"` };
  const cases = await loadCases(path.join(ctx.lab.dir, step.module));
  if (typeof cases === 'string') return { status: 'error', ...base, ms: elapsed(), why: cases };

  const outcome = await startStack(ctx.root, step.service, ctx.tools);
  if (outcome.status !== 'started') {
    const failures = [{ test: `start ${outcome.service}`, message: `the service ${outcome.message}` }];
    return { status: 'fail', ...base, ms: elapsed(), failures, ...(step.hint ? { hint: step.hint } : {}) };
  }
  const failures: Failure[] = [];
  const deadline = started + timeoutMs(step, 120);
  try {
    const http = httpContext(outcome.main.baseUrl, outcome.urls);
    for (const c of cases) {
      // kit verify's fail-fast: another step already decided the check; its result is discarded.
      if (ctx.signal?.aborted) break;
      if (performance.now() > deadline) {
        failures.push({ test: c.name, message: `not run: the probe step ran out of time` });
        continue;
      }
      try {
        await c.run(http);
      } catch (error) {
        failures.push({ test: c.name, message: describeProbeError(error) });
      }
    }
  } finally {
    await outcome.stop();
  }
  if (failures.length === 0) return { status: 'pass', ...base, ms: elapsed() };
  return { status: 'fail', ...base, ms: elapsed(), failures, ...(step.hint ? { hint: step.hint } : {}) };
}

async function loadCases(file: string): Promise<ProbeCase[] | string> {
  try {
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (!Array.isArray(module.default)) return `${file} must default-export defineProbes([...])`;
    return module.default as ProbeCase[];
  } catch (error) {
    return `cannot load ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

function describeProbeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'the service did not answer within 5 s';
    // node:assert puts the author's message first; its generated diff follows for plain asserts.
    return error.message.split('\n').slice(0, 8).join('\n');
  }
  return String(error);
}
