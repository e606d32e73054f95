/**
 * `pnpm test --repeat N [--load K]` — the flake hunt. Runs the timing-sensitive gates (those
 * with `timing` set: the contract suites, the polyglot E2E, the services' pytest, `go test -race`
 * of each Go module) N times, in the order `pnpm test` runs them (the others two at a time, the
 * `alone` ones after, one at a time), optionally beside K CPU-bound neighbours, and prints per
 * test how many runs failed. A flake that reaches CI shows up here first.
 *
 * Each gate runs with its runner's machine output (vitest JSON, pytest JUnit XML, `go test
 * -json`), read by the lab engine's readers, so a failure is counted against the test that
 * failed, not the gate. A gate that failed without naming a test counts as `<gate> (no test named)`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../lab-engine/process.ts';
import { goTestFailures } from '../lab-engine/steps/go.ts';
import { junitFailures } from '../lab-engine/steps/python.ts';
import { vitestFailures } from '../lab-engine/steps/typescript.ts';
import type { Gate, TestRunner } from './gates.ts';

export interface HuntOptions {
  readonly root: string;
  readonly repeat: number;
  /** CPU-bound neighbour processes kept busy for the whole hunt. */
  readonly load: number;
  readonly log: (line: string) => void;
}

export interface GateRun {
  readonly gate: string;
  readonly passed: boolean;
  readonly ms: number;
  /** Test ids that failed in this run (a failed gate with none: `<gate> (no test named)`). */
  readonly failedTests: readonly string[];
  /** Per failed test, what the runner said (first lines): a flake seen once must be diagnosable. */
  readonly messages?: Readonly<Record<string, string>>;
}

/** The gate's command with its runner's machine output written to `file` (go: on stdout). */
export function withMachineOutput(gate: Gate, runner: TestRunner, file: string): Gate {
  switch (runner) {
    case 'vitest':
      return { ...gate, args: [...gate.args, '--reporter=json', `--outputFile=${file}`] };
    case 'pytest':
      return { ...gate, args: [...gate.args, '-o', 'junit_family=xunit1', `--junitxml=${file}`] };
    case 'go-test': {
      const at = gate.args.indexOf('test');
      return { ...gate, args: [...gate.args.slice(0, at + 1), '-json', ...gate.args.slice(at + 1)] };
    }
  }
}

/** Per failed test id, the first lines of its message, read from the runner's machine output. */
export function failedTestMessages(runner: TestRunner, machineOutput: string, gate: Gate, root: string): Map<string, string> {
  const found = new Map<string, string>();
  if (machineOutput.trim() === '') return found;
  try {
    const failures =
      runner === 'vitest' ? vitestFailures(machineOutput, root) : runner === 'pytest' ? junitFailures(machineOutput, root) : goTestFailures(machineOutput, gate.cwd, root);
    for (const f of failures) {
      const id = f.test ?? f.where ?? gate.name;
      if (!found.has(id)) found.set(id, f.message.split('\n').slice(0, 6).join('\n'));
    }
  } catch {
    // unreadable output: the gate's failure is still counted, as "(no test named)"
  }
  return found;
}

/** The ids of the tests that failed, read from the runner's machine output. */
export function failedTestIds(runner: TestRunner, machineOutput: string, gate: Gate, root: string): string[] {
  return [...failedTestMessages(runner, machineOutput, gate, root).keys()];
}

/** Per test, in how many runs it failed (most first). */
export function tally(runs: readonly GateRun[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of runs) for (const t of new Set(r.failedTests)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

async function runOnce(gate: Gate, runner: TestRunner, scratch: string, root: string): Promise<GateRun> {
  const file = path.join(scratch, `${Math.random().toString(36).slice(2)}.out`);
  const g = withMachineOutput(gate, runner, file);
  const ran = await run(g.command, g.args, { cwd: g.cwd, ...(g.env ? { env: g.env } : {}), timeoutMs: 30 * 60_000 });
  const machine = runner === 'go-test' ? ran.stdout : existsSync(file) ? readFileSync(file, 'utf8') : '';
  rmSync(file, { force: true });
  const passed = ran.code === 0;
  if (passed) return { gate: gate.name, passed, ms: ran.ms, failedTests: [] };
  const messages = failedTestMessages(runner, machine, gate, root);
  if (messages.size > 0) return { gate: gate.name, passed, ms: ran.ms, failedTests: [...messages.keys()], messages: Object.fromEntries(messages) };
  const unnamed = `${gate.name} (no test named; exit ${String(ran.code)})`;
  const tail = (ran.stdout + ran.stderr).trim().split('\n').slice(-6).join('\n');
  return { gate: gate.name, passed, ms: ran.ms, failedTests: [unnamed], messages: { [unnamed]: tail } };
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => by + line)
    .join('\n');
}

/** K busy loops on the kit's Node: the "beside two CPU-bound processes" of a loaded machine. */
export function startLoad(count: number): () => void {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) children.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return () => {
    for (const c of children) c.kill('SIGKILL');
  };
}

/** Runs the hunt; resolves with every gate run (the caller prints the tally and decides the exit). */
export async function huntFlakes(gates: readonly Gate[], opts: HuntOptions): Promise<GateRun[]> {
  const timed = gates.filter((g): g is Gate & { timing: TestRunner } => g.timing !== undefined && g.skip === undefined);
  const ordered = [...timed.filter((g) => !g.alone), ...timed.filter((g) => g.alone)];
  opts.log(`flake hunt: ${ordered.length} timing-sensitive gates × ${opts.repeat} runs${opts.load > 0 ? `, beside ${opts.load} CPU-bound neighbours` : ''}`);
  for (const g of ordered) opts.log(`  ${g.name}`);
  const scratch = mkdtempSync(path.join(tmpdir(), 'flake-hunt-'));
  const stopLoad = startLoad(opts.load);
  const all: GateRun[] = [];
  try {
    for (let i = 1; i <= opts.repeat; i++) {
      const started = performance.now();
      const runs: GateRun[] = [];
      // As pnpm test does: the gates that share the machine two at a time, then the alone ones.
      const shared = ordered.filter((g) => !g.alone);
      for (let k = 0; k < shared.length; k += 2) {
        runs.push(...(await Promise.all(shared.slice(k, k + 2).map((g) => runOnce(g, g.timing, scratch, opts.root)))));
      }
      for (const g of ordered.filter((x) => x.alone)) runs.push(await runOnce(g, g.timing, scratch, opts.root));
      all.push(...runs);
      const failed = runs.filter((r) => !r.passed);
      opts.log(`run ${String(i)}/${String(opts.repeat)}: ${failed.length === 0 ? 'all passed' : `FAILED ${failed.map((r) => `${r.gate} [${r.failedTests.join(', ')}]`).join('; ')}`} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      for (const r of failed) for (const [test, message] of Object.entries(r.messages ?? {})) opts.log(`    ${test}:\n${indent(message, '      ')}`);
    }
  } finally {
    stopLoad();
    rmSync(scratch, { recursive: true, force: true });
  }
  return all;
}

/** The closing table: per test, failed runs out of N; exit 0 only when nothing failed. */
export function huntReport(runs: readonly GateRun[], repeat: number): { text: string; exitCode: 0 | 1 } {
  const counts = tally(runs);
  if (counts.length === 0) return { text: `flake hunt: 0 failures in ${String(repeat)} runs of ${String(new Set(runs.map((r) => r.gate)).size)} gates`, exitCode: 0 };
  const lines = counts.map(([test, n]) => `  ${String(n).padStart(3)}/${String(repeat)}  ${test}`);
  return { text: [`flake hunt: ${String(counts.length)} test(s) failed in some runs (failed runs / runs):`, ...lines].join('\n'), exitCode: 1 };
}

export const TEST_USAGE = 'usage: pnpm test [--repeat N [--load K]]';

/** The hunt's options, or a one-line error. */
export function parseTestArgs(args: readonly string[]): { repeat?: number; load: number } | string {
  let repeat: number | undefined;
  let load = 0;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag !== '--repeat' && flag !== '--load') return `unknown argument '${flag ?? ''}' — ${TEST_USAGE}`;
    const value = args[++i];
    const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
    if (flag === '--repeat' && !(n >= 1 && n <= 1000)) return `--repeat needs a whole number of runs, 1 to 1000 (got '${value ?? ''}') — ${TEST_USAGE}`;
    if (flag === '--load' && !(n >= 0 && n <= 64)) return `--load needs a number of CPU-bound neighbours, 0 to 64 (got '${value ?? ''}') — ${TEST_USAGE}`;
    if (flag === '--repeat') repeat = n;
    else load = n;
  }
  if (load > 0 && repeat === undefined) return `--load goes with --repeat — ${TEST_USAGE}`;
  return repeat === undefined ? { load } : { repeat, load };
}
