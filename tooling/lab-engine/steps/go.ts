/**
 * Go gates: gofmt -l, go vet, staticcheck, golangci-lint, go test -race. Each runs inside the
 * module folder named by the step and reads machine output where the tool has it
 * (staticcheck JSON, golangci-lint JSON, `go test -json` events).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../process.ts';
import type { Failure, StepResult } from '../report/schema.ts';
import { relativeTo, timeoutMs, tool, verdict, type StepContext, type StepOf } from './context.ts';

function goEnv(): NodeJS.ProcessEnv {
  // GOFLAGS=-mod=mod would fetch; the kit works offline after setup, so modules must be in the cache.
  return { ...process.env, GOPROXY: process.env['GOPROXY'] ?? 'off', CGO_ENABLED: '1' };
}

/** `file:line:col: message` lines as failures, paths made repository-relative. */
export function positionedLines(text: string, moduleDir: string, root: string): Failure[] {
  return [...text.matchAll(/^(?:vet: )?(\S+\.go):(\d+)(?::\d+)?: (.+)$/gm)].map((m) => ({
    message: m[3] ?? '',
    where: `${relativeTo(root, path.resolve(moduleDir, m[1] ?? ''))}:${m[2] ?? ''}`,
  }));
}

export async function gofmt(ctx: StepContext, step: StepOf<'gofmt'>): Promise<StepResult> {
  const dir = path.join(ctx.root, step.dir);
  const ran = await run(tool(ctx, 'gofmt'), ['-l', '.'], { cwd: dir, env: goEnv(), timeoutMs: timeoutMs(step, 60), signal: ctx.signal });
  const failures = ran.stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((file) => ({ message: 'not gofmt-formatted — run `gofmt -w` on it', where: path.join(step.dir, file.trim()) }));
  return verdict(step, ran, [...failures, ...positionedLines(ran.stderr, dir, ctx.root)], false);
}

export async function goVet(ctx: StepContext, step: StepOf<'go-vet'>): Promise<StepResult> {
  const dir = path.join(ctx.root, step.dir);
  const ran = await run(tool(ctx, 'go'), ['vet', ...step.packages], { cwd: dir, env: goEnv(), timeoutMs: timeoutMs(step, 180), signal: ctx.signal });
  return verdict(step, ran, positionedLines(ran.stderr, dir, ctx.root), false);
}

interface StaticcheckIssue {
  code: string;
  message: string;
  location: { file: string; line: number };
}

export async function staticcheck(ctx: StepContext, step: StepOf<'staticcheck'>): Promise<StepResult> {
  const dir = path.join(ctx.root, step.dir);
  const ran = await run(tool(ctx, 'staticcheck'), ['-f', 'json', ...step.packages], { cwd: dir, env: goEnv(), timeoutMs: timeoutMs(step, 300), signal: ctx.signal });
  const failures: Failure[] = [];
  for (const line of ran.stdout.split('\n')) {
    if (!line.trim()) continue;
    try {
      const issue = JSON.parse(line) as StaticcheckIssue;
      failures.push({ message: `${issue.code}: ${issue.message}`, where: `${relativeTo(ctx.root, issue.location.file)}:${issue.location.line}` });
    } catch {
      failures.push({ message: line });
    }
  }
  return verdict(step, ran, failures, false);
}

interface GolangciReport {
  Issues: { FromLinter: string; Text: string; Pos: { Filename: string; Line: number } }[] | null;
}

export async function golangciLint(ctx: StepContext, step: StepOf<'golangci-lint'>): Promise<StepResult> {
  const dir = path.join(ctx.root, step.dir);
  const ran = await run(
    tool(ctx, 'golangci-lint'),
    ['run', '--allow-serial-runners', ...(step.linters ? ['--enable-only', step.linters.join(',')] : []), '--output.json.path=stdout', '--output.text.path=stderr', '--show-stats=false', ...step.packages],
    { cwd: dir, env: goEnv(), timeoutMs: timeoutMs(step, 600), signal: ctx.signal },
  );
  let failures: Failure[] = [];
  try {
    const report = JSON.parse(ran.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{"Issues":[]}') as GolangciReport;
    failures = (report.Issues ?? []).map((issue) => ({
      message: `${issue.FromLinter}: ${issue.Text}`,
      where: `${path.join(step.dir, issue.Pos.Filename)}:${issue.Pos.Line}`,
    }));
  } catch {
    failures = [];
  }
  // golangci-lint exits 1 on issues; 3+ means it could not run (typecheck or config errors).
  return verdict(step, ran, failures, ran.code !== 0 && ran.code !== 1 && failures.length === 0);
}

interface TestEvent {
  Action: string;
  Package?: string;
  Test?: string;
  Output?: string;
  ImportPath?: string;
}

export async function goTest(ctx: StepContext, step: StepOf<'go-test'>): Promise<StepResult> {
  const dir = path.join(ctx.root, step.dir);
  const args = ['test', '-json', '-count=1', ...(step.race ? ['-race'] : []), ...(ctx.failFast ? ['-failfast'] : []), ...step.packages];
  const ran = await run(tool(ctx, 'go'), args, { cwd: dir, env: goEnv(), timeoutMs: timeoutMs(step, 600), signal: ctx.signal });
  const failures = goTestFailures(ran.stdout, dir, ctx.root);
  if (ran.code !== 0 && failures.length === 0) failures.push(...positionedLines(ran.stderr, dir, ctx.root));
  return verdict(step, ran, failures, false);
}

/** The module path a go.mod declares, or undefined when there is none. */
export function modulePathOf(moduleDir: string): string | undefined {
  const file = path.join(moduleDir, 'go.mod');
  if (!existsSync(file)) return undefined;
  return /^module\s+(\S+)/m.exec(readFileSync(file, 'utf8'))?.[1];
}

/**
 * Failing tests (with their `t.Errorf` lines) and build failures from `go test -json`, each
 * reported once: a parent test whose subtest failed, and a package whose test or build failed,
 * add nothing new and are left out.
 */
export function goTestFailures(stream: string, moduleDir: string, root: string, modulePath = modulePathOf(moduleDir)): Failure[] {
  const output = new Map<string, string[]>();
  const failures: Failure[] = [];
  /** `t.Errorf` prints the file's base name: it lives in the package's folder, not the module's. */
  const packageDir = (pkg: string): string =>
    modulePath && (pkg === modulePath || pkg.startsWith(`${modulePath}/`)) ? path.join(moduleDir, pkg.slice(modulePath.length)) : moduleDir;
  for (const line of stream.split('\n')) {
    if (!line.startsWith('{')) continue;
    let event: TestEvent;
    try {
      event = JSON.parse(line) as TestEvent;
    } catch {
      continue;
    }
    const pkg = event.Package ?? event.ImportPath ?? '';
    const key = `${pkg}\u0000${event.Test ?? ''}`;
    if ((event.Action === 'output' || event.Action === 'build-output') && event.Output) {
      output.set(key, [...(output.get(key) ?? []), event.Output]);
    }
    const failed = event.Action === 'fail' || event.Action === 'build-fail';
    if (!failed) continue;
    const lines = output.get(key) ?? [];
    if (event.Test && failures.some((f) => f.test?.startsWith(`${pkg}.${event.Test ?? ''}/`))) continue;
    // A build failure is keyed by `pkg [pkg.test]`; the package's own fail event follows it.
    if (!event.Test && event.Package && failures.some((f) => f.test?.startsWith(`${event.Package ?? ''}.`) || f.test?.startsWith(`${event.Package ?? ''} [`))) continue;
    const positioned = positionedLines(lines.map((l) => l.trim()).join('\n'), event.Test ? packageDir(pkg) : moduleDir, root);
    const message = (positioned.map((p) => p.message).join('\n') || lines.filter((l) => !/^(=== |--- |FAIL|ok )/.test(l.trim())).join('').trim()).slice(0, 2000);
    failures.push({
      test: event.Test ? `${pkg}.${event.Test}` : pkg || 'build',
      message: message || (event.Test ? 'test failed' : 'package failed to build or its tests failed'),
      ...(positioned[0]?.where ? { where: positioned[0].where } : {}),
    });
  }
  return failures;
}
