/**
 * `pnpm kit pack`: makes the parts (parts.ts) in a stage folder, writes manifest.json, and
 * archives the stage into one .tar (or .tar.gz) for a USB stick. bootstrap --from reads it.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { lockfileHashes, packPins } from './check-manifest.js';
import { buildManifest, sizeReport, type PackManifest, type PackPart } from './manifest.ts';
import { goModuleDirs, PackFailed, packGo, packPnpm, packPython, type PartContext } from './parts.ts';

/** What the pack leaves out, and why (printed, and kept in manifest.json). */
export const NOT_IN_PACK = [
  'system packages (chromium, prometheus/promtool, postgresql, wrk): install them with the OS package manager before the day; without them `pnpm test` names the gates it could not run',
  'Node.js >= 20 with npm, Python >= 3.11 and Go >= 1.26 themselves (the README\'s prerequisites)',
];

interface Toolchain {
  tools: Record<string, { bin: string; pinned?: string; go?: { module: string } }>;
}

export async function makePack(root: string, platform: string, out: string, log: (line: string) => void): Promise<PackManifest> {
  const toolchain = JSON.parse(readFileSync(path.join(root, 'tooling/toolchain/toolchain.json'), 'utf8')) as Toolchain;
  const goTools = Object.values(toolchain.tools).flatMap((t) => (t.go && t.pinned ? [{ bin: t.bin, module: t.go.module, pinned: t.pinned }] : []));
  const commit = (await $({ cwd: root, quiet: true })`git rev-parse HEAD`).stdout.trim();
  const stage = mkdtempSync(path.join(os.tmpdir(), 'kit-pack-'));
  const ctx: PartContext = { root, stage: path.join(stage, 'pack'), scratch: path.join(stage, 'scratch'), platform, pins: packPins(toolchain), goTools };
  // Ctrl-C ends kit with process.exit (scripts/kit.ts), which skips `finally`: the stage and a
  // half-written archive (gigabytes) are removed on exit too.
  const partial = `${out}.partial`;
  const cleanup = (): void => {
    rmSync(stage, { recursive: true, force: true });
    rmSync(partial, { force: true });
  };
  process.on('exit', cleanup);
  try {
    const started = performance.now();
    const timed = async (name: string, make: (c: PartContext) => Promise<PackPart>): Promise<PackPart> => {
      const t0 = performance.now();
      const made = await make(ctx);
      log(`✓ ${name.padEnd(7)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s`);
      return made;
    };
    // The three parts are mostly network and disk: made side by side.
    const parts = await Promise.all([timed('pnpm', packPnpm), timed('python', packPython), timed('go', packGo)]);
    const locks = ['pnpm-lock.yaml', 'uv.lock', ...goModuleDirs(root).map((d) => path.relative(root, path.join(d, 'go.sum')))];
    const manifest = buildManifest({ commit, platform, createdAt: new Date().toISOString(), pins: ctx.pins, lockfiles: lockfileHashes(root, locks), parts, notInPack: NOT_IN_PACK });
    writeFileSync(path.join(ctx.stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // Written under a temporary name, renamed when whole: a half-written pack is never at `out`.
    const gzip = /\.(tar\.gz|tgz)$/.test(out);
    const tar = await $({ nothrow: true, quiet: true })`tar ${gzip ? '-czf' : '-cf'} ${partial} -C ${ctx.stage} .`;
    if (tar.exitCode !== 0) {
      rmSync(partial, { force: true });
      throw new PackFailed(`tar failed writing ${out}: ${tar.stderr.trim().split('\n').pop() ?? ''}`);
    }
    renameSync(partial, out);
    log(`✓ archive ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s in all`);
    for (const line of sizeReport(manifest, { path: out, bytes: statSync(out).size })) log(line);
    return manifest;
  } finally {
    process.off('exit', cleanup);
    cleanup();
  }
}
