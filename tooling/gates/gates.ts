/**
 * The kit's quality gates, as one list: `pnpm test` runs them all (and issue 7's `pnpm gates`
 * will select from the same list). Each gate is one command; gates run two at a time.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findTool } from '../toolchain/tools.ts';
import { run } from '../lab-engine/process.ts';

export interface Gate {
  /** e.g. `python: mypy --strict`. */
  readonly name: string;
  readonly scope: 'ts' | 'python' | 'go' | 'kit';
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Runs alone after the others (it starts services and uses both cores). */
  readonly alone?: boolean;
}

export type GateResult =
  | { readonly gate: Gate; readonly status: 'pass'; readonly ms: number; readonly output: string }
  | { readonly gate: Gate; readonly status: 'fail'; readonly ms: number; readonly output: string }
  | { readonly gate: Gate; readonly status: 'missing'; readonly ms: 0; readonly output: string };

function tool(root: string, name: string): string {
  return findTool(root, name) ?? name;
}

/** Folders holding a go.mod under go/ (the Go modules of the kit). */
export function goModules(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    if (existsSync(path.join(dir, 'go.mod'))) found.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'vendor' && entry.name !== 'testdata') walk(path.join(dir, entry.name));
    }
  };
  walk(path.join(root, 'go'));
  return found;
}

/** Python folders mypy checks: each service's src and tests, and every lab's check folder with Python in it. */
export function pythonTypedPaths(root: string): string[] {
  const services = path.join(root, 'python', 'services');
  const paths: string[] = [];
  if (existsSync(services)) {
    for (const name of readdirSync(services).sort()) {
      for (const sub of ['src', 'tests']) if (existsSync(path.join(services, name, sub))) paths.push(`python/services/${name}/${sub}`);
    }
  }
  const labs = path.join(root, 'labs');
  if (existsSync(labs)) {
    for (const name of readdirSync(labs).sort()) {
      const check = path.join(labs, name, 'check');
      if (existsSync(check) && readdirSync(check).some((f) => f.endsWith('.py'))) paths.push(`labs/${name}/check`);
    }
  }
  return paths;
}

export function allGates(root: string): Gate[] {
  const node = process.execPath;
  const py = (name: string, args: string[]): Gate => ({ name: `python: ${name}`, scope: 'python', command: tool(root, args[0] ?? ''), args: args.slice(1), cwd: root });
  const gates: Gate[] = [
    { name: 'ts: tsc --noEmit', scope: 'ts', command: tool(root, 'tsc'), args: ['--noEmit', '-p', 'tsconfig.json'], cwd: root },
    { name: 'ts: vitest', scope: 'ts', command: tool(root, 'vitest'), args: ['run'], cwd: root },
    py('ruff check', ['ruff', 'check', 'python', 'labs']),
    py('ruff format --check', ['ruff', 'format', '--check', 'python', 'labs']),
    py('mypy --strict', ['mypy', '--strict', ...pythonTypedPaths(root)]),
    // Alone: lab checks time fan-outs in milliseconds, which a busy second core would skew.
    { ...py('pytest', ['python', '-m', 'pytest', '-q', '-p', 'no:cacheprovider']), alone: true },
  ];
  for (const dir of goModules(root)) {
    const rel = path.relative(root, dir);
    const go = (name: string, command: string, args: string[]): Gate => ({ name: `go ${rel}: ${name}`, scope: 'go', command: tool(root, command), args, cwd: dir });
    gates.push(
      go('gofmt -l', 'gofmt', ['-l', '.']),
      go('go vet', 'go', ['vet', './...']),
      go('staticcheck', 'staticcheck', ['./...']),
      go('golangci-lint', 'golangci-lint', ['run', './...']),
      go('go test -race', 'go', ['test', '-race', '-count=1', './...']),
    );
  }
  // Builds every deck two at a time, then drives Chromium through every slide: both cores.
  gates.push({ name: 'slides: build + browser', scope: 'kit', command: node, args: [path.join(root, 'scripts', 'slides.ts'), 'test'], cwd: root, alone: true });
  gates.push({ name: 'kit verify', scope: 'kit', command: node, args: [path.join(root, 'scripts', 'kit.ts'), 'verify'], cwd: root, alone: true });
  return gates;
}

export async function runGate(gate: Gate): Promise<GateResult> {
  if (gate.command.includes('/') ? !existsSync(gate.command) : !findTool(gate.cwd, gate.command)) {
    return { gate, status: 'missing', ms: 0, output: `${path.basename(gate.command)}: not found — run \`pnpm run doctor\`` };
  }
  const ran = await run(gate.command, gate.args, { cwd: gate.cwd, ...(gate.env ? { env: gate.env } : {}), timeoutMs: 45 * 60_000 });
  const output = `${ran.stdout}${ran.stderr}`;
  // gofmt -l exits 0 even when files need formatting: any listed file is a failure.
  const gofmtDirty = gate.args[0] === '-l' && ran.stdout.trim().length > 0;
  return { gate, status: ran.code === 0 && !gofmtDirty ? 'pass' : 'fail', ms: ran.ms, output };
}
