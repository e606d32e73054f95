/**
 * TypeScript steps: vitest (acceptance tests written in TypeScript, read from vitest's JSON
 * report so a failure names the test and its message) and tsc (the project's strict typecheck).
 * Both run on the kit's own Node, from the repository's node_modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../process.ts';
import type { Failure, StepResult } from '../report/schema.ts';
import { relativeTo, timeoutMs, tool, verdict, type StepContext, type StepOf } from './context.ts';

function nodeEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: process.env['CI'] ?? '' };
}

interface VitestAssertion {
  fullName?: string;
  title?: string;
  status: string;
  failureMessages?: string[];
  location?: { line: number; column: number } | null;
}
interface VitestFile {
  name: string;
  status: string;
  message?: string;
  assertionResults?: VitestAssertion[];
}

/** Failed tests (and files that failed to load) from vitest's `--reporter=json` output. */
export function vitestFailures(json: string, root: string): Failure[] {
  const report = JSON.parse(json) as { testResults?: VitestFile[] };
  const failures: Failure[] = [];
  for (const file of report.testResults ?? []) {
    const where = relativeTo(root, file.name);
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    if (file.status === 'failed' && failed.length === 0) {
      failures.push({ test: where, message: (file.message ?? 'the test file failed to load').split('\n').slice(0, 8).join('\n'), where });
    }
    for (const a of failed) {
      const text = a.failureMessages?.[0] ?? 'failed';
      const message = text.split('\n').filter((line) => !/^\s+at /.test(line));
      // vitest's JSON has no location unless asked: the stack's first frame in the test file is it.
      const frame = text.split('\n').map((line) => line.match(/^\s+at (?:.*\()?(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?$/)).find((m) => m?.[1] === file.name);
      const line = a.location?.line ?? (frame ? Number(frame[2]) : undefined);
      failures.push({
        test: `${where} > ${a.fullName ?? a.title ?? ''}`,
        message: message.slice(0, 12).join('\n'),
        where: line === undefined ? where : `${where}:${String(line)}`,
      });
    }
  }
  return failures;
}

export async function vitest(ctx: StepContext, step: StepOf<'vitest'>): Promise<StepResult> {
  const report = path.join(ctx.scratch, `vitest-${Math.random().toString(36).slice(2)}.json`);
  const cli = path.join(ctx.root, 'node_modules', 'vitest', 'vitest.mjs');
  const ran = await run(tool(ctx, 'node'), [cli, 'run', '--reporter=json', `--outputFile=${report}`, ...step.paths], {
    cwd: ctx.root,
    env: nodeEnv(),
    timeoutMs: timeoutMs(step, 120),
    signal: ctx.signal,
  });
  let failures: Failure[] = [];
  let crashed = false;
  try {
    failures = existsSync(report) ? vitestFailures(readFileSync(report, 'utf8'), ctx.root) : [];
  } catch {
    crashed = true;
  }
  if (!existsSync(report)) crashed = ran.code !== 0;
  return verdict(step, ran, failures, crashed);
}

export async function tsc(ctx: StepContext, step: StepOf<'tsc'>): Promise<StepResult> {
  const cli = path.join(ctx.root, 'node_modules', 'typescript', 'bin', 'tsc');
  const ran = await run(tool(ctx, 'node'), [cli, '--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'], {
    cwd: ctx.root,
    env: nodeEnv(),
    timeoutMs: timeoutMs(step, 180),
    signal: ctx.signal,
  });
  const failures = [...ran.stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+: .+)$/gm)].map((m) => ({
    message: m[3] ?? '',
    where: `${relativeTo(ctx.root, m[1] ?? '')}:${m[2] ?? ''}`,
  }));
  return verdict(step, ran, failures, ran.code !== 0 && failures.length === 0);
}
