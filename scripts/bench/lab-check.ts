/**
 * Benchmark: warm `pnpm lab 1 check` against running the same gates directly, in one script on
 * one machine. Prints medians and the ratio; the target (issue 2) is ratio <= 1.1 and < 5 s.
 * Not a test: numbers are printed, never asserted. Usage: `pnpm bench lab-check [runs]`
 * (scripts/bench.ts parses the arguments and calls `labCheck`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLab, loadLabs, type Lab } from '../../tooling/lab-engine/labs.ts';
import { run } from '../../tooling/lab-engine/process.ts';
import { httpContext, type ProbeCase } from '../../tooling/probes/probe.ts';
import { toolsOfService } from '../../tooling/services/registry.ts';
import { startStack } from '../../tooling/services/start.ts';
import { findTool } from '../../tooling/toolchain/tools.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function need(name: string): string {
  const found = findTool(root, name);
  if (!found) throw new Error(`${name} not found — run \`pnpm run doctor\``);
  return found;
}

/** The lab's steps, each as the plain command a developer would type, run one after another. */
async function direct(lab: Lab): Promise<void> {
  for (const step of lab.manifest.steps) {
    switch (step.kind) {
      case 'ruff-check':
        await run(need('ruff'), ['check', ...step.paths], { cwd: root });
        break;
      case 'ruff-format':
        await run(need('ruff'), ['format', '--check', ...step.paths], { cwd: root });
        break;
      case 'mypy':
        await run(need('mypy'), ['--strict', ...step.paths], { cwd: root });
        break;
      case 'pytest':
        await run(need('python'), ['-m', 'pytest', '-q', ...step.paths], { cwd: root });
        break;
      case 'probe': {
        const tools = new Map(toolsOfService(step.service).map((t) => [t, need(t)]));
        const started = await startStack(root, step.service, tools);
        if (started.status !== 'started') throw new Error(`service did not start: ${started.message}`);
        const cases = ((await import(path.join(lab.dir, step.module))) as { default: ProbeCase[] }).default;
        for (const c of cases) await c.run(httpContext(started.main.baseUrl, started.urls));
        await started.stop();
        break;
      }
      default:
        throw new Error(`bench: no direct form for ${step.kind}`);
    }
  }
}

async function viaLab(concurrency = '2'): Promise<void> {
  const env = { ...process.env, LAB_CONCURRENCY: concurrency };
  const ran = await run(process.execPath, [path.join(root, 'scripts', 'lab.ts'), '1', 'check'], { cwd: root, env });
  if (ran.code !== 0) throw new Error(`pnpm lab 1 check failed — bench needs lab 1 solved:\n${ran.stdout.slice(-800)}`);
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function labCheck(runs: number): Promise<void> {
  const lab = findLab(await loadLabs(root), '1');
  await viaLab(); // warm caches (mypy, pyc) for both sides
  await direct(lab);
  const directMs: number[] = [];
  const labMs: number[] = [];
  const labSerialMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    directMs.push(await time(() => direct(lab)));
    labMs.push(await time(() => viaLab('2')));
    labSerialMs.push(await time(() => viaLab('1')));
  }
  const ratio = median(labMs) / median(directMs);
  const overhead = median(labSerialMs) / median(directMs);
  console.log(`runs: ${runs} each, interleaved, warm`);
  console.log(`direct gates (sequential): median ${(median(directMs) / 1000).toFixed(2)} s  [${directMs.map((x) => (x / 1000).toFixed(2)).join(', ')}]`);
  console.log(`pnpm lab 1 check:          median ${(median(labMs) / 1000).toFixed(2)} s  [${labMs.map((x) => (x / 1000).toFixed(2)).join(', ')}]`);
  console.log(`lab check, steps one by one: median ${(median(labSerialMs) / 1000).toFixed(2)} s  [${labSerialMs.map((x) => (x / 1000).toFixed(2)).join(', ')}]`);
  console.log(`ratio lab/direct: ${ratio.toFixed(2)} (target <= 1.10); engine overhead, same order as direct: ${overhead.toFixed(2)}x`);
  console.log(`lab check ${median(labMs) < 5000 ? 'under' : 'OVER'} 5 s`);
}
