// Typed loader of toolchain.json (the one place tool versions are pinned) and findTool(),
// which resolves a tool's executable with sync fs checks only (no spawning): the lab engine
// calls it on every check.
import { accessSync, constants, readFileSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VersionProbe {
  /** Arguments run on the resolved executable to print its version. */
  args: string[];
  /** Regex whose first group is the version. */
  pattern: string;
  /** The Node runtime running the kit: read process.version, spawn nothing. */
  runtime?: boolean;
  /** Look the tool up on the machine's PATH only, outside the repo (the "system" copy). */
  systemPath?: boolean;
  /** Look the tool up in <root>/.venv/bin only. */
  venv?: boolean;
  /** Read the version of a Go-built binary with `go version -m` (its module version). */
  goBuildInfo?: boolean;
  /** If the executable is not found, try `python3 -m <module>` with the same args. */
  pythonModule?: string;
}

export interface GoInstall {
  module: string;
  package: string;
}

/** A system tool's package per package manager (see system.ts); brew `--cask NAME` for a cask. */
export type SystemPackageNames = Partial<Record<'apt' | 'dnf' | 'brew', string>>;

export interface ToolSpec {
  /** Key in toolchain.json. */
  id: string;
  label: string;
  bin: string;
  pinned?: string;
  min?: string;
  required: boolean;
  requiredWhen?: string;
  for: string;
  source: string;
  version: VersionProbe;
  go?: GoInstall;
  /** A system package (not a language tool): bootstrap installs it with the OS package manager. */
  system?: SystemPackageNames;
  /** The one command that fixes a problem, with {version} and {package} already filled in. */
  fix: string;
}

export interface Toolchain {
  tools: ToolSpec[];
}

export const TOOLCHAIN_PATH = fileURLToPath(new URL('./toolchain.json', import.meta.url));

function fail(msg: string): never {
  throw new Error(`toolchain.json: ${msg}`);
}

function str(o: Record<string, unknown>, key: string, where: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v === '') fail(`${where}.${key} must be a non-empty string`);
  return v;
}

function bool(o: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`${where}.${key} must be true or false`);
  return v;
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where} must be an object`);
  return v as Record<string, unknown>;
}

/** Validate parsed toolchain.json data. Throws one-line errors. */
export function parseToolchain(data: unknown): Toolchain {
  const top = obj(data, 'top level');
  const tools = obj(top['tools'], 'tools');
  const out: ToolSpec[] = [];
  for (const [id, raw] of Object.entries(tools)) {
    const where = `tools.${id}`;
    const t = obj(raw, where);
    const v = obj(t['version'], `${where}.version`);
    const args = v['args'];
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
      fail(`${where}.version.args must be a list of strings`);
    }
    const pattern = str(v, 'pattern', `${where}.version`) as string;
    try {
      new RegExp(pattern);
    } catch {
      fail(`${where}.version.pattern is not a valid regex`);
    }
    const version: VersionProbe = { args: args as string[], pattern };
    for (const k of ['runtime', 'systemPath', 'venv', 'goBuildInfo'] as const) {
      const b = bool(v, k, `${where}.version`);
      if (b !== undefined) version[k] = b;
    }
    const pm = str(v, 'pythonModule', `${where}.version`, true);
    if (pm !== undefined) version.pythonModule = pm;

    let go: GoInstall | undefined;
    if (t['go'] !== undefined) {
      const g = obj(t['go'], `${where}.go`);
      go = {
        module: str(g, 'module', `${where}.go`) as string,
        package: str(g, 'package', `${where}.go`) as string,
      };
    }
    let system: SystemPackageNames | undefined;
    if (t['system'] !== undefined) {
      const sys = obj(t['system'], `${where}.system`);
      system = {};
      for (const [manager, name] of Object.entries(sys)) {
        if (manager !== 'apt' && manager !== 'dnf' && manager !== 'brew') fail(`${where}.system.${manager}: the managers are apt, dnf and brew`);
        if (typeof name !== 'string' || name === '') fail(`${where}.system.${manager} must be a package name`);
        system[manager] = name;
      }
    }
    const pinned = str(t, 'pinned', where, true);
    const min = str(t, 'min', where, true);
    if (go && !pinned) fail(`${where}: a go-installed tool needs "pinned"`);
    const required = bool(t, 'required', where);
    if (required === undefined) fail(`${where}.required must be true or false`);
    const fixTemplate = str(t, 'fix', where) as string;
    const fix = fixTemplate
      .replaceAll('{version}', pinned ?? min ?? '')
      .replaceAll('{package}', go?.package ?? '');
    const spec: ToolSpec = {
      id,
      label: str(t, 'label', where, true) ?? id,
      bin: str(t, 'bin', where) as string,
      required,
      for: str(t, 'for', where) as string,
      source: str(t, 'source', where) as string,
      version,
      fix,
    };
    if (pinned !== undefined) spec.pinned = pinned;
    if (min !== undefined) spec.min = min;
    const rw = str(t, 'requiredWhen', where, true);
    if (rw !== undefined) spec.requiredWhen = rw;
    if (go) spec.go = go;
    if (system) spec.system = system;
    out.push(spec);
  }
  return { tools: out };
}

let cached: Toolchain | undefined;

/** Load and validate toolchain.json (cached). Throws a one-line Error when it is broken. */
export function loadToolchain(path: string = TOOLCHAIN_PATH): Toolchain {
  if (path === TOOLCHAIN_PATH && cached) return cached;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read ${path}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`toolchain.json is not valid JSON: ${(e as Error).message}`);
  }
  const tc = parseToolchain(data);
  if (path === TOOLCHAIN_PATH) cached = tc;
  return tc;
}

/** The spec of one tool by its toolchain.json key. */
export function toolSpec(id: string, toolchain: Toolchain = loadToolchain()): ToolSpec {
  const t = toolchain.tools.find((x) => x.id === id);
  if (!t) throw new Error(`toolchain.json has no tool "${id}"`);
  return t;
}

// ---------------------------------------------------------------------------------------------
// findTool

const POSTGRES_TOOL = /^(postgres|postmaster|initdb|psql|pg_[a-z_]+|createdb|dropdb|createuser|dropuser|pgbench|vacuumdb|reindexdb|clusterdb)$/;

export interface FindOptions {
  /** PATH to search (default process.env.PATH). */
  path?: string;
  /** Where Debian puts PostgreSQL versions (default /usr/lib/postgresql). */
  pgRoot?: string;
}

export function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Numeric-aware compare of version-like directory names ("9.6" < "15"). */
function compareDirVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** bin/ directories of installed PostgreSQL versions, newest first. */
export function postgresBinDirs(pgRoot = '/usr/lib/postgresql'): string[] {
  let names: string[];
  try {
    names = readdirSync(pgRoot);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+(\.\d+)*$/.test(n))
    .sort((a, b) => compareDirVersions(b, a))
    .map((n) => join(pgRoot, n, 'bin'));
}

/** Search PATH only, skipping directories for which `skip` returns true. */
export function findOnPath(
  name: string,
  path: string = process.env['PATH'] ?? '',
  skip: (dir: string) => boolean = () => false,
  exists: (p: string) => boolean = isExecutable,
): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '' || skip(dir)) continue;
    const p = join(dir, name);
    if (exists(p)) return p;
  }
  return undefined;
}

/**
 * Resolve a tool's executable: <root>/.tools/bin, <root>/.venv/bin, <root>/node_modules/.bin,
 * then (for PostgreSQL tools) the newest /usr/lib/postgresql/<v>/bin, then PATH.
 * PostgreSQL's own directory comes before PATH because /usr/local/bin/postgres may be anything.
 */
export function findTool(root: string, name: string, opts: FindOptions = {}): string | undefined {
  if (name === '' || name.includes('/')) return undefined;
  for (const dir of [join(root, '.tools', 'bin'), join(root, '.venv', 'bin'), join(root, 'node_modules', '.bin')]) {
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  if (POSTGRES_TOOL.test(name)) {
    for (const dir of postgresBinDirs(opts.pgRoot)) {
      const p = join(dir, name);
      if (isExecutable(p)) return p;
    }
  }
  return findOnPath(name, opts.path);
}
