/**
 * The kit's quality gates, as one list: `pnpm test` runs them all and `pnpm gates [scope]`
 * selects from the same list (tooling/gates/runner.ts runs and prints them). Each gate is one
 * command; gates run two at a time, `alone` ones after.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findTool } from '../toolchain/tools.ts';
import { kitDockerfiles } from '../dockerfile/files.ts';
import { run } from '../lab-engine/process.ts';
import { importLinterEnv } from '../lab-engine/steps/import-linter.ts';
import { sloGates } from '../rollout/slo-gates.ts';
import { rolloutGate } from '../rollout/runtime/gate.ts';
import { deployGates } from '../rollout/deploy/deploy-gates.ts';

export const SCOPES = ['python', 'go', 'proto', 'ts', 'kit'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

export interface Gate {
  /** e.g. `python: mypy --strict`. */
  readonly name: string;
  readonly scope: Scope;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Runs alone after the others (it starts services and uses both cores). */
  readonly alone?: boolean;
  /** Not run: its table row says why (e.g. no proto yet). Never counted as a pass. */
  readonly skip?: string;
  /** A static security check (SAST): `pnpm scan sast` runs these. */
  readonly sast?: boolean;
  /** Timing-sensitive, so the flake hunt (`pnpm test --repeat N`) runs it; its test runner's kind. */
  readonly timing?: TestRunner;
}

/** A test runner whose per-test results the flake hunt reads (tooling/gates/flake-hunt.ts). */
export type TestRunner = 'vitest' | 'pytest' | 'go-test';

export type GateResult =
  | { readonly gate: Gate; readonly status: 'pass'; readonly ms: number; readonly output: string }
  | { readonly gate: Gate; readonly status: 'fail'; readonly ms: number; readonly output: string }
  | { readonly gate: Gate; readonly status: 'missing'; readonly ms: 0; readonly output: string }
  | { readonly gate: Gate; readonly status: 'skip'; readonly ms: 0; readonly output: string };

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

/**
 * Alone: starts each catalog and the gateway stack and fuzzes each with schemathesis from its
 * committed OpenAPI document (tooling/contract/schemathesis.ts: all checks, 50 examples, seed 1;
 * the gateway with a dev token for u-1; measured 49–81 s for the three, the gateway 22–33 s). Without
 * schemathesis in .venv it is skipped with the fix, except with CI=true, where it runs and fails.
 */
export function schemathesisGate(root: string, env: NodeJS.ProcessEnv = process.env): Gate {
  const missing = findTool(root, 'schemathesis', { path: env['PATH'] ?? '' }) === undefined && env['CI'] !== 'true' ? 'schemathesis not in .venv: run npm run bootstrap' : undefined;
  return {
    name: 'ts: schemathesis (both catalogs and the gateway, committed OpenAPI)',
    scope: 'ts',
    command: process.execPath,
    args: [path.join(root, 'tooling', 'contract', 'schemathesis.ts')],
    cwd: root,
    alone: true,
    ...(missing ? { skip: missing } : {}),
  };
}

export function allGates(root: string): Gate[] {
  const node = process.execPath;
  const py = (name: string, args: string[]): Gate => ({ name: `python: ${name}`, scope: 'python', command: tool(root, args[0] ?? ''), args: args.slice(1), cwd: root });
  const gates: Gate[] = [
    { name: 'ts: tsc --noEmit', scope: 'ts', command: tool(root, 'tsc'), args: ['--noEmit', '-p', 'tsconfig.json'], cwd: root },
    { name: 'ts: vitest', scope: 'ts', command: tool(root, 'vitest'), args: ['run', '--exclude', 'tooling/contract/**', '--exclude', 'tooling/e2e/**', '--exclude', 'tooling/rollout/runtime/live/**', '--exclude', 'tooling/pack/offline.test.ts'], cwd: root },
    // Alone: makes a room pack of this tree (registries), then bootstraps a fresh clone from it
    // with no network (unshare -n) and runs pnpm lab 1 check there: both cores, minutes.
    { name: 'ts: offline pack', scope: 'ts', command: tool(root, 'vitest'), args: ['run', 'tooling/pack/offline.test.ts'], cwd: root, alone: true },
    // Alone: the contract suites start both catalogs and time fan-outs against a 600 ms deadline.
    { name: 'ts: contract suites', scope: 'ts', command: tool(root, 'vitest'), args: ['run', 'tooling/contract'], cwd: root, alone: true, timing: 'vitest' },
    schemathesisGate(root),
    // Alone: the polyglot E2E starts the recommender, the gateway and both catalogs, and times a 504 against a 120 ms budget.
    { name: 'ts: e2e (polyglot)', scope: 'ts', command: tool(root, 'vitest'), args: ['run', 'tooling/e2e'], cwd: root, alone: true, timing: 'vitest' },
    // Alone: starts both catalogs and the gateway stack, holds 100 slow sockets and streams 8 × 64 MiB
    // bodies at each while sampling its memory (issue 14: `pnpm reliability`).
    { name: 'ts: reliability', scope: 'ts', command: node, args: [path.join(root, 'scripts', 'reliability.ts')], cwd: root, alone: true },
    py('ruff check', ['ruff', 'check', 'python', 'labs']),
    py('ruff format --check', ['ruff', 'format', '--check', 'python', 'labs']),
    py('mypy --strict', ['mypy', '--strict', ...pythonTypedPaths(root)]),
    // Architecture rules (issue 15): the import-linter contracts in pyproject.toml.
    { ...py('import-linter', ['lint-imports', '--no-cache']), env: importLinterEnv(root) },
    // Alone: lab checks time fan-outs in milliseconds, which a busy second core would skew.
    { ...py('pytest', ['python', '-m', 'pytest', '-q', '-p', 'no:cacheprovider']), alone: true, timing: 'pytest' },
    // SAST over the services' source (tests use assert, B101). Suppress a finding on its line:
    // `# nosec B311 # why`.
    { ...py('bandit', ['bandit', '-q', '-r', ...pythonSourcePaths(root)]), sast: true },
  ];
  for (const dir of goModules(root)) {
    const rel = path.relative(root, dir);
    const go = (name: string, command: string, args: string[]): Gate => ({ name: `go ${rel}: ${name}`, scope: 'go', command: tool(root, command), args, cwd: dir });
    gates.push(
      go('gofmt -l', 'gofmt', ['-l', '.']),
      // go.mod/go.sum drift: exits 1 and prints the diff `go mod tidy` would make (Go >= 1.23).
      go('go mod tidy -diff', 'go', ['mod', 'tidy', '-diff']),
      go('go vet', 'go', ['vet', './...']),
      go('staticcheck', 'staticcheck', ['./...']),
      go('golangci-lint', 'golangci-lint', ['run', '--allow-serial-runners', './...']),
      { ...go('go test -race', 'go', ['test', '-race', '-count=1', './...']), timing: 'go-test' },
      // Suppress a finding on its line: `// #nosec G304 -- why`.
      { ...go('gosec', 'gosec', ['-quiet', '-exclude-generated', './...']), sast: true },
    );
  }
  gates.push(...protoGates(root));
  const templates = ciTemplates(root);
  // actionlint is given each path: it lints them where they are (inside this git repo).
  gates.push({ name: 'kit: actionlint (CI templates)', scope: 'kit', command: tool(root, 'actionlint'), args: templates, cwd: root, ...(templates.length === 0 ? { skip: 'no templates under tooling/ci/github' } : {}) });
  // No Docker engine in the room: Dockerfiles are checked statically; CI builds the images.
  // The services' images and the dev container's (a workstation image: see its header).
  const dockerfiles = [...kitDockerfiles(root), ...(existsSync(path.join(root, '.devcontainer', 'Dockerfile')) ? ['.devcontainer/Dockerfile'] : [])];
  gates.push({ name: 'kit: dockerfile-lint', scope: 'kit', command: node, args: [path.join(root, 'scripts', 'dockerfile-lint.ts'), ...dockerfiles], cwd: root, ...(dockerfiles.length === 0 ? { skip: 'no Dockerfile under python/ or go/' } : {}) });
  // SLOs as code: rules drift, promtool check rules and the burn-rate alert unit tests.
  gates.push(...sloGates(root));
  // Alone: `pnpm rollout canary` (good → promoted, faulty → rolled back) and `blue-green` (no failed
  // request) on the live stack: two recommenders, the gateway, Prometheus and 50 req/s.
  gates.push(rolloutGate(root));
  // The production shape: the generated Argo AnalysisTemplate's drift, kube-score over the manifests.
  gates.push(...deployGates(root));
  gates.push({ name: 'kit: gitleaks dir (secrets)', scope: 'kit', command: tool(root, 'gitleaks'), args: [...GITLEAKS_DIR_ARGS], cwd: root });
  // Builds every deck two at a time, then drives Chromium through every slide: both cores.
  gates.push({ name: 'slides: build + browser', scope: 'kit', command: node, args: [path.join(root, 'scripts', 'slides.ts'), 'test'], cwd: root, alone: true });
  gates.push({ name: 'kit verify', scope: 'kit', command: node, args: [path.join(root, 'scripts', 'kit.ts'), 'verify'], cwd: root, alone: true });
  return gates;
}

/** `gitleaks dir` over the working tree with the kit's config; `pnpm scan secrets` uses it too. */
export const GITLEAKS_DIR_ARGS = ['dir', '.', '--config', '.gitleaks.toml', '--no-banner', '--redact', '--log-level', 'warn'] as const;

/** Each Python service's src folder (bandit's scope). */
export function pythonSourcePaths(root: string): string[] {
  const services = path.join(root, 'python', 'services');
  if (!existsSync(services)) return [];
  return readdirSync(services).sort().filter((n) => existsSync(path.join(services, n, 'src'))).map((n) => `python/services/${n}/src`);
}

/** The GitHub Actions templates, relative to root. */
export function ciTemplates(root: string): string[] {
  const dir = path.join(root, 'tooling', 'ci', 'github');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => `tooling/ci/github/${f}`);
}

function hasProto(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? hasProto(path.join(dir, e.name)) : e.name.endsWith('.proto'),
  );
}

/**
 * Proto: buf lint, buf breaking (against main, or $BUF_BREAKING_AGAINST in CI) and codegen drift.
 * Until proto/ holds a .proto file the scope is one skipped row that says so.
 */
export function protoGates(root: string): Gate[] {
  const protoDir = path.join(root, 'proto');
  if (!hasProto(protoDir)) {
    return [{ name: 'proto: buf lint, breaking, drift', scope: 'proto', command: tool(root, 'buf'), args: [], cwd: root, skip: 'no proto/*.proto yet: these gates start when the contract lands' }];
  }
  const buf = tool(root, 'buf');
  const against = process.env['BUF_BREAKING_AGAINST'] ?? '.git#branch=main,subdir=proto';
  // Nothing to compare with until main holds a .proto: skipped (named), never a fake pass.
  const notOnMain = process.env['BUF_BREAKING_AGAINST'] === undefined && !mainHasProto(root);
  return [
    { name: 'proto: buf lint', scope: 'proto', command: buf, args: ['lint', 'proto'], cwd: root },
    { name: 'proto: buf format -d', scope: 'proto', command: buf, args: ['format', '-d', '--exit-code', 'proto'], cwd: root },
    {
      name: 'proto: buf breaking',
      scope: 'proto',
      command: buf,
      args: ['breaking', 'proto', '--against', against],
      cwd: root,
      ...(notOnMain ? { skip: 'proto/ has no .proto on branch main yet: nothing to be breaking against (runs once the contract is committed)' } : {}),
    },
    { name: 'proto: codegen drift', scope: 'proto', command: process.execPath, args: [path.join(root, 'tooling', 'gates', 'proto-drift.ts')], cwd: root },
  ];
}

/** Whether branch main of root's git repository holds a .proto under proto/. */
export function mainHasProto(root: string): boolean {
  try {
    const listed = execFileSync('git', ['ls-tree', '-r', '--name-only', 'main', '--', 'proto'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return listed.split('\n').some((f) => f.endsWith('.proto'));
  } catch {
    return false;
  }
}

/** The gates of one scope (all when undefined), in list order. */
export function selectGates(gates: readonly Gate[], scope?: Scope): Gate[] {
  return scope ? gates.filter((g) => g.scope === scope) : [...gates];
}

/**
 * What `pnpm gates [scope] --fix` runs first: ruff's fixes and formatter for Python, `gofmt -w`
 * in every Go module; no scope means both.
 */
export function fixCommands(root: string, scope?: Scope): { command: string; args: string[]; cwd: string }[] {
  const python = [
    { command: tool(root, 'ruff'), args: ['check', '--fix', 'python', 'labs'], cwd: root },
    { command: tool(root, 'ruff'), args: ['format', 'python', 'labs'], cwd: root },
  ];
  const go = goModules(root).map((dir) => ({ command: tool(root, 'gofmt'), args: ['-w', '.'], cwd: dir }));
  if (scope === 'python') return python;
  if (scope === 'go') return go;
  return scope === undefined ? [...python, ...go] : [];
}

export async function runGate(gate: Gate): Promise<GateResult> {
  if (gate.skip !== undefined) return { gate, status: 'skip', ms: 0, output: gate.skip };
  if (gate.command.includes('/') ? !existsSync(gate.command) : !findTool(gate.cwd, gate.command)) {
    return { gate, status: 'missing', ms: 0, output: `${path.basename(gate.command)}: not found — run \`pnpm run doctor\`` };
  }
  const ran = await run(gate.command, gate.args, { cwd: gate.cwd, ...(gate.env ? { env: gate.env } : {}), timeoutMs: 45 * 60_000 });
  const output = `${ran.stdout}${ran.stderr}`;
  // gofmt -l exits 0 even when files need formatting: any listed file is a failure.
  const gofmtDirty = gate.args[0] === '-l' && ran.stdout.trim().length > 0;
  return { gate, status: ran.code === 0 && !gofmtDirty ? 'pass' : 'fail', ms: ran.ms, output };
}
