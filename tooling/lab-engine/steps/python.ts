/**
 * Python gates: ruff check, ruff format --check, mypy --strict, pytest. Each reads the tool's
 * machine output (ruff JSON, mypy JSON lines, pytest JUnit XML) so a failure names the test,
 * the message and file:line rather than dumping a log.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { lastLinesOf, run } from '../process.ts';
import type { Failure, StepResult } from '../report/schema.ts';
import { relativeTo, timeoutMs, tool, verdict, type StepContext, type StepOf } from './context.ts';

/** Python output that stays parseable whatever the attendee's terminal is. */
function pythonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONUNBUFFERED: '1', NO_COLOR: '1', FORCE_COLOR: undefined };
}

interface RuffDiagnostic {
  code: string | null;
  message: string;
  filename: string;
  location: { row: number; column: number };
}

export async function ruffCheck(ctx: StepContext, step: StepOf<'ruff-check'>): Promise<StepResult> {
  const ran = await run(tool(ctx, 'ruff'), ['check', '--no-fix', '--output-format', 'json', ...step.paths], {
    cwd: ctx.root,
    env: pythonEnv(),
    timeoutMs: timeoutMs(step, 60), signal: ctx.signal,
  });
  let failures: Failure[] = [];
  let crashed = ran.code !== 0 && ran.code !== 1;
  try {
    const diagnostics = JSON.parse(ran.stdout || '[]') as RuffDiagnostic[];
    failures = diagnostics.map((d) => ({
      message: `${d.code ?? 'syntax'}: ${d.message}`,
      where: `${relativeTo(ctx.root, d.filename)}:${d.location.row}`,
    }));
  } catch {
    crashed = true;
  }
  return verdict(step, ran, failures, crashed);
}

export async function ruffFormat(ctx: StepContext, step: StepOf<'ruff-format'>): Promise<StepResult> {
  const ran = await run(tool(ctx, 'ruff'), ['format', '--check', ...step.paths], {
    cwd: ctx.root,
    env: pythonEnv(),
    timeoutMs: timeoutMs(step, 60), signal: ctx.signal,
  });
  const failures = [...ran.stdout.matchAll(/^Would reformat: (.+)$/gm)].map((m) => ({
    message: 'not formatted — run `.venv/bin/ruff format` on it',
    where: relativeTo(ctx.root, m[1] ?? ''),
  }));
  const syntax = ran.stderr.includes('error:') ? [{ message: lastLinesOf(ran.stderr, 6) }] : [];
  return verdict(step, ran, [...syntax, ...failures], ran.code !== 0 && ran.code !== 1);
}

interface MypyMessage {
  file: string;
  line: number;
  message: string;
  code: string | null;
  severity: string;
  hint: string | null;
}

export async function mypy(ctx: StepContext, step: StepOf<'mypy'>): Promise<StepResult> {
  const ran = await run(tool(ctx, 'mypy'), ['--strict', '-O', 'json', '--no-error-summary', ...step.paths], {
    cwd: ctx.root,
    // kit verify's copies (one per track, checked side by side) each keep their own cache.
    env: { ...pythonEnv(), ...(process.env['LAB_MYPY_CACHE_DIR'] ? { MYPY_CACHE_DIR: path.join(process.env['LAB_MYPY_CACHE_DIR'], path.basename(ctx.root)) } : {}) },
    timeoutMs: timeoutMs(step, 180), signal: ctx.signal,
  });
  const failures: Failure[] = [];
  let unparsed = false;
  for (const line of ran.stdout.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m = JSON.parse(line) as MypyMessage;
      if (m.severity !== 'error') continue;
      failures.push({
        message: `${m.message}${m.code ? `  [${m.code}]` : ''}${m.hint ? `\n${m.hint}` : ''}`,
        where: `${relativeTo(ctx.root, m.file)}:${m.line}`,
      });
    } catch {
      unparsed = true;
    }
  }
  // Exit 2 is mypy's "could not run" (bad config, unreadable file), also told on stderr.
  const crashed = ran.code === 2 || (ran.code !== 0 && failures.length === 0 && unparsed);
  return verdict(step, ran, failures, crashed);
}

type JunitNode = Record<string, unknown>;

export async function pytest(ctx: StepContext, step: StepOf<'pytest'>): Promise<StepResult> {
  const report = path.join(ctx.scratch, `junit-${Math.random().toString(36).slice(2)}.xml`);
  const ran = await run(
    tool(ctx, 'python'),
    ['-m', 'pytest', '-q', ...(ctx.failFast ? ['-x'] : []), '-p', 'no:cacheprovider', '-o', 'junit_family=xunit1', `--junitxml=${report}`, ...step.paths],
    { cwd: ctx.root, env: pythonEnv(), timeoutMs: timeoutMs(step, 300), signal: ctx.signal },
  );
  const failures = existsSync(report) ? junitFailures(readFileSync(report, 'utf8'), ctx.root) : [];
  if (ran.code === 5) failures.push({ message: `pytest collected no tests from ${step.paths.join(' ')}` });
  // 0 passed, 1 tests failed, 5 no tests; anything else (2 interrupted, 3 internal, 4 usage) cannot be trusted.
  const crashed = ran.code !== 0 && ran.code !== 1 && ran.code !== 5 && failures.length === 0;
  return verdict(step, ran, failures, crashed);
}

/** Failures and errors from pytest's JUnit XML, with the test id and the deepest file:line. */
export function junitFailures(xml: string, root: string): Failure[] {
  // htmlEntities also decodes character references: pytest writes a message's newlines as `&#10;`.
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text', htmlEntities: true, isArray: (name) => ['testsuite', 'testcase', 'failure', 'error'].includes(name) });
  const doc = parser.parse(xml) as JunitNode;
  const suites = ((doc['testsuites'] as JunitNode | undefined)?.['testsuite'] ?? doc['testsuite'] ?? []) as JunitNode[];
  const failures: Failure[] = [];
  for (const suite of suites) {
    for (const testcase of (suite['testcase'] ?? []) as JunitNode[]) {
      const problems = [...((testcase['failure'] ?? []) as JunitNode[]), ...((testcase['error'] ?? []) as JunitNode[])];
      for (const problem of problems) {
        const text = typeof problem === 'string' ? problem : String(problem['text'] ?? '');
        const said = String((typeof problem === 'string' ? '' : problem['message']) ?? '');
        // A collection error's message is only "collection failure"; the why is in its `E   ` lines.
        const why = [...text.matchAll(/^E\s+(.+)$/gm)].map((m) => m[1] ?? '').join('\n');
        const message = said === 'collection failure' && why ? `${said}: ${why}` : said || lastLinesOf(text, 6);
        // xunit1 carries the test's file; the class name is the fallback.
        const file = String(testcase['file'] ?? '');
        const classname = String(testcase['classname'] ?? '');
        const name = String(testcase['name'] ?? '');
        const locations = [...text.matchAll(/^(\S+\.py):(\d+):/gm)];
        const last = locations.at(-1);
        failures.push({
          // A collection error (no class name) is the module itself: its id is the file.
          test: file ? (classname ? `${file}::${name}` : file) : classname ? `${classname}::${name}` : name,
          message: message.split('\n').slice(0, 8).join('\n'),
          ...(last ? { where: `${relativeTo(root, last[1] ?? '')}:${last[2] ?? ''}` } : {}),
        });
      }
    }
  }
  return failures;
}
