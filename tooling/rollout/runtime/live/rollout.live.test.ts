/**
 * The rollout runtime end to end (its own gate, alone: it starts two recommenders, the gateway
 * and Prometheus, and drives 50 req/s): `pnpm rollout canary` promotes a good candidate and rolls
 * a faulty one back, `pnpm rollout blue-green` switches without a failed request, `pnpm rollout
 * drain` SIGTERMs one of two instances under load without a failed request, and nothing the
 * command started is left running, after a run or after Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CanaryReport } from '../canary.ts';
import type { BlueGreenReport } from '../blue-green.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const script = path.join(root, 'scripts/rollout.ts');

/** Every process whose parent chain leads to `pid` (children are in their own process groups). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const found: number[] = [];
  const walk = (p: number): void => {
    for (const [child, ppid] of parent) {
      if (ppid === p) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** A process still running (a zombie waiting for its parent to reap it has stopped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const describePid = (pid: number): string => {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 200)}`;
  } catch {
    return `${pid} (gone)`;
  }
};

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The processes the command had started once its load was running. */
  readonly started: readonly number[];
}

/** Runs `pnpm rollout ...args`; when the load starts, snapshots the processes and optionally sends `signal`. */
function rollout(args: readonly string[], signal?: NodeJS.Signals): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started: number[] = [];
    const snapshot = (): void => {
      if (started.length > 0 || child.pid === undefined) return;
      started = descendants(child.pid);
      if (signal) child.kill(signal);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes('\nload: ') || stdout.startsWith('load: ')) snapshot();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // --json prints nothing until the end: snapshot once the stack is surely up.
    const timer = setTimeout(snapshot, 12_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, started });
    });
  });
}

function expectNothingLeft(run: Run, atLeast = 4): void {
  expect(run.started.length).toBeGreaterThanOrEqual(atLeast); // prometheus, 2 recommenders, the gateway (+ go run)
  expect(run.started.filter(alive).map(describePid)).toEqual([]);
}

const prometheusDirs = (): string[] => readdirSync(tmpdir()).filter((d) => d.startsWith('rollout-prometheus-'));

const oneJson = <T>(stdout: string): T => {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as T;
};

describe('pnpm rollout (live stack)', () => {
  it('canary --candidate good: promoted through 5, 25, 50, 100 %, exit 0', async () => {
    const run = await rollout(['canary', '--candidate', 'good', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = oneJson<CanaryReport>(run.stdout);
    expect(report.result).toBe('promoted');
    expect(report.candidate).toBe('good');
    expect([...new Set(report.steps.map((s) => s.weight))]).toEqual([5, 25, 50, 100]);
    expect(report.steps.at(-1)?.decision).toEqual({ action: 'promote' });
    expect(report.finalWeights).toEqual({ v1: 0, v2: 100 });
    expect(report.requests).toBeGreaterThan(500);
    expect(report.failed).toBeLessThanOrEqual(report.requests * 0.01);
    expectNothingLeft(run);
  }, 150_000);

  it('canary --candidate faulty: rolled back at the first step on error-rate or latency, exit 3, nothing left running', async () => {
    const run = await rollout(['canary', '--candidate', 'faulty', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(3);
    const report = oneJson<CanaryReport>(run.stdout);
    expect(report.result).toBe('rolled-back');
    expect(report.rollback?.reason).toBe('breach');
    expect(['error-rate', 'latency-p99']).toContain(report.rollback?.sli);
    expect(report.rollback?.weight).toBe(5);
    expect(report.rollback?.value).toBeGreaterThan(report.rollback?.threshold ?? Infinity);
    expect(report.finalWeights).toEqual({ v1: 100, v2: 0 });
    expect(report.rollbackAfterMs).toBeLessThan(30_000);
    expect(report.steps.at(-1)?.decision.action).toBe('rollback');
    expectNothingLeft(run);
  }, 150_000);

  it('blue-green: both switches under load with no failed request, exit 0', async () => {
    const run = await rollout(['blue-green', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = oneJson<BlueGreenReport>(run.stdout);
    expect(report.failed).toBe(0);
    expect(report.requests).toBeGreaterThan(500);
    expect(report.switchedTraffic).toBe(true);
    expect(report.switches.map((s) => s.to)).toEqual(['v2', 'v1']);
    expectNothingLeft(run);
  }, 150_000);

  it('drain: SIGTERM to one of two instances at 50/50 under load, no failed request, it exits 0, the survivor takes its share, exit 0', async () => {
    // Text mode: the process snapshot is taken at the "load:" line, before the SIGTERM.
    const run = await rollout(['drain']);
    const out = run.stdout + run.stderr;
    expect(run.code, out).toBe(0);
    const summary = /drain: CLEAN: (\d+) requests, (\d+) failed/.exec(run.stdout);
    expect(summary, out).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThan(250); // ~50 req/s for ~7 s
    expect(Number(summary?.[2])).toBe(0);
    expect(run.stdout).toMatch(/v2 got SIGTERM, exited 0 after \d+ ms \(drain delay 2000 ms, gateway health poll 500 ms\)/);
    const served = /served before (\d+), after (\d+); OK calls v1 (\d+) → (\d+), v2 (\d+) → (\d+)/.exec(run.stdout);
    const [before, after, v1AtKill, v1AtEnd, v2AtKill, v2AtEnd] = (served?.slice(1) ?? []).map(Number);
    expect(before, out).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
    expect(v1AtKill).toBeGreaterThan(0); // both served at 50/50 before the SIGTERM
    expect(v2AtKill).toBeGreaterThan(0);
    expect((v1AtEnd ?? 0) - (v1AtKill ?? 0)).toBeGreaterThan((v2AtEnd ?? 0) - (v2AtKill ?? 0)); // the survivor took the traffic
    expect(run.stdout).toContain('the survivor took the traffic: yes'); // v2 served nothing once it had exited
    expectNothingLeft(run); // v1, v2 (alive at the snapshot), go run + the gateway
  }, 150_000);

  it('Ctrl-C (SIGINT) mid-run stops everything it started, removes its Prometheus data and exits 130', async () => {
    const before = new Set(prometheusDirs());
    const run = await rollout(['canary', '--candidate', 'good'], 'SIGINT');
    expect(run.code, run.stdout + run.stderr).toBe(130);
    expect(run.stderr).toContain('interrupted: stopping everything started');
    expectNothingLeft(run);
    expect(prometheusDirs().filter((d) => !before.has(d))).toEqual([]);
  }, 60_000);
});
