/**
 * Throwaway repositories for the lab engine's tests: two Python labs of one track, with owned
 * files, a region-owned file, starters, solutions and pytest checks, in a temp folder. The
 * repository's `.venv` is linked in so ruff and pytest are the real tools. Also runs the real
 * `pnpm lab` CLI (scripts/lab.ts) against a fixture with `LAB_ROOT`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kit's own repository (where scripts/lab.ts and .venv live). */
export const KIT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const LAB_CLI = path.join(KIT_ROOT, 'scripts', 'lab.ts');

/** File contents of the fixture, by repository-relative path. */
export const DEMO = {
  starter: `import os


def add(a: int, b: int) -> int:
    # TODO(lab 1): return the sum of a and b
    return 0
`,
  solution: `def add(a: int, b: int) -> int:
    return a + b
`,
  helloStarter: `def hello(name: str) -> str:
    # TODO(lab 1): greet by name
    return ""
`,
  helloSolution: `def hello(name: str) -> str:
    return f"hello {name}"
`,
  byeStarter: `def bye(name: str) -> str:
    # TODO(lab 2): say goodbye by name
    return ""
`,
  byeSolution: `def bye(name: str) -> str:
    return f"bye {name}"
`,
  shoutStarter: `from svc.greet import hello


def shout(name: str) -> str:
    # TODO(lab 2): shout the greeting
    return hello(name)
`,
  shoutSolution: `from svc.greet import hello


def shout(name: str) -> str:
    return hello(name).upper()
`,
} as const;

/** svc/greet.py with the two regions filled in. */
export function greetFile(hello: string, bye: string): string {
  return `"""Greetings: lab 1 owns hello, lab 2 owns bye."""

# lab-region:hello begin
${hello}# lab-region:hello end

# lab-region:bye begin
${bye}# lab-region:bye end
`;
}

/** Lab 01's manifest as a plain object (the fixture's lab.ts default-exports it, no imports). */
export const LAB_01_MANIFEST = {
  title: 'Demo lab',
  module: 'python',
  deck: 'slides/01-demo.md',
  owns: [{ path: 'svc/demo.py' }, { path: 'svc/greet.py', region: 'hello' }],
  steps: [
    { kind: 'ruff-check', paths: ['svc/demo.py'], hint: 'remove what ruff names' },
    { kind: 'pytest', name: 'acceptance', paths: ['labs/01-demo/check'], hint: 'add returns the sum' },
  ],
  hints: ['Look at add.', 'add must return a + b.', 'return a + b'],
};

export const LAB_02_MANIFEST = {
  title: 'Second lab',
  module: 'python',
  deck: 'slides/02-second.md',
  owns: [{ path: 'svc/greet.py', region: 'bye' }, { path: 'svc/shout.py' }],
  steps: [{ kind: 'pytest', paths: ['labs/02-second/check'] }],
  hints: ['Say bye.', 'Upper-case the greeting.'],
};

/** The source of a lab.ts that default-exports `manifest` as a plain object. */
export function manifestSource(manifest: unknown): string {
  return `// A fixture manifest: a plain object, no imports.\nexport default ${JSON.stringify(manifest, null, 2)};\n`;
}

const TEST_01 = `from svc.demo import add
from svc.greet import hello


def test_add_sums_two_numbers() -> None:
    assert add(2, 3) == 5, "add(2, 3) should be 5"


def test_hello_greets_by_name() -> None:
    assert hello("ada") == "hello ada"
`;

const TEST_02 = `from svc.greet import bye
from svc.shout import shout


def test_bye_says_goodbye() -> None:
    assert bye("ada") == "bye ada"


def test_shout_upper_cases_the_greeting() -> None:
    assert shout("ada") == "HELLO ADA"
`;

export interface FixtureOptions {
  /** Link the kit's .venv in as `.venv` (default true). */
  readonly venv?: boolean;
}

export interface Fixture {
  readonly root: string;
  /** Writes a repository-relative file (folders created). */
  write(file: string, data: string | Buffer): void;
  read(file: string): Buffer;
  text(file: string): string;
  exists(file: string): boolean;
  remove(file: string): void;
  /** Folder names under `.labs/backups` (complete or not). */
  backupFolders(): string[];
  /** Removes the whole fixture. */
  dispose(): void;
}

/**
 * A repository with lab 01 (owns svc/demo.py and the `hello` region of svc/greet.py) and lab 02
 * (owns the `bye` region and svc/shout.py), both on the python track. The services start in
 * their "hero" state: every lab solved.
 */
export function makeFixture(options: FixtureOptions = {}): Fixture {
  const root = mkdtempSync(path.join(tmpdir(), 'lab-fixture-'));
  const write = (file: string, data: string | Buffer): void => {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, data);
  };
  write('pyproject.toml', '[tool.pytest.ini_options]\npythonpath = ["."]\nasyncio_default_fixture_loop_scope = "function"\n');
  write('svc/__init__.py', '');
  write('svc/demo.py', DEMO.solution);
  write('svc/greet.py', greetFile(DEMO.helloSolution, DEMO.byeSolution));
  write('svc/shout.py', DEMO.shoutSolution);

  write('labs/01-demo/lab.ts', manifestSource(LAB_01_MANIFEST));
  write('labs/01-demo/README.md', '# Demo lab\n');
  write('labs/01-demo/starter/svc/demo.py', DEMO.starter);
  write('labs/01-demo/solution/svc/demo.py', DEMO.solution);
  write('labs/01-demo/starter/svc/greet.py@hello', DEMO.helloStarter);
  write('labs/01-demo/solution/svc/greet.py@hello', DEMO.helloSolution);
  write('labs/01-demo/check/test_demo.py', TEST_01);

  write('labs/02-second/lab.ts', manifestSource(LAB_02_MANIFEST));
  write('labs/02-second/starter/svc/greet.py@bye', DEMO.byeStarter);
  write('labs/02-second/solution/svc/greet.py@bye', DEMO.byeSolution);
  write('labs/02-second/starter/svc/shout.py', DEMO.shoutStarter);
  write('labs/02-second/solution/svc/shout.py', DEMO.shoutSolution);
  write('labs/02-second/check/test_second.py', TEST_02);

  if (options.venv ?? true) symlinkSync(path.join(KIT_ROOT, '.venv'), path.join(root, '.venv'));
  return {
    root,
    write,
    read: (file) => readFileSync(path.join(root, file)),
    text: (file) => readFileSync(path.join(root, file), 'utf8'),
    exists: (file) => existsSync(path.join(root, file)),
    remove: (file) => rmSync(path.join(root, file), { force: true }),
    backupFolders: () => {
      const dir = path.join(root, '.labs', 'backups');
      return existsSync(dir) ? readdirSync(dir).sort() : [];
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** The environment the CLI runs with against `root`. */
export function cliEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, LAB_ROOT: root, NO_COLOR: '1', LAB_DEBUG: undefined, ...extra };
}

/** Runs `pnpm lab <args>` (scripts/lab.ts under this Node) against the fixture at `root`. */
export function runLab(root: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return runScript(LAB_CLI, root, args, options);
}

/** Runs one of the kit's scripts (absolute path) under this Node against the fixture at `root`. */
export function runScript(script: string, root: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: KIT_ROOT,
      env: cliEnv(root, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The non-empty lines of a stream. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** True when the output holds a stack-trace frame. */
export function hasStackTrace(text: string): boolean {
  return /^\s{4}at /m.test(text);
}
