/**
 * The proof of the offline room pack (issue 16 step 3): make a pack of this tree's lockfiles,
 * clone HEAD into a temp folder, and there run `npm run bootstrap -- --from PACK` and then
 * `pnpm lab 1 check` inside a network namespace with no network (`unshare -n`: loopback only).
 *
 * Nothing may lean on this machine's warm caches: HOME (so pnpm's and uv's default store and
 * cache), GOMODCACHE and GOCACHE are fresh folders of the temp dir, and PATH holds only the
 * folders of the prerequisites (Node with npm, pnpm, Go) and the system's, not this checkout's
 * node_modules/.bin nor a version manager's shims.
 *
 * Needs Linux and root (unshare). Elsewhere it is skipped, except with CI=true, where it fails.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { hostPlatform, packPins } from './check-manifest.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const canRun = process.platform === 'linux' && process.getuid?.() === 0;
const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The folder on PATH holding `name`, outside this checkout (so not node_modules/.bin). */
function folderOf(name: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir || dir.startsWith(root)) continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return dir;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${name} is not on PATH (outside this checkout): the proof needs it as a prerequisite`);
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

describe('offline room pack', () => {
  it.skipIf(!canRun && process.env['CI'] !== 'true')('bootstraps a fresh clone from a pack with no network, then passes lab 1', async () => {
    if (!canRun) throw new Error('the offline pack proof needs Linux as root (unshare -n); with CI=true it must run');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'kit-offline-'));
    try {
      const pack = path.join(tmp, 'pack.tar');
      let t0 = performance.now();
      const made = await $({ cwd: root, nothrow: true, quiet: true, env: { ...process.env, INIT_CWD: root } })`${process.execPath} scripts/kit.ts pack --out ${pack}`;
      expect(made.exitCode, `pnpm kit pack failed:\n${tail(made.stdout + made.stderr)}`).toBe(0);
      console.log(`pnpm kit pack (${((performance.now() - t0) / 1000).toFixed(0)} s):\n${made.stdout.trimEnd()}`);

      const clone = path.join(tmp, 'clone');
      await $({ quiet: true })`git clone -q ${root} ${clone}`;
      for (const d of ['home', 'gomod', 'gocache']) mkdirSync(path.join(tmp, d));
      const dirs = [folderOf('pnpm'), folderOf('npm'), folderOf('node'), folderOf('go'), ...SYSTEM_PATH];
      const env = {
        PATH: [...new Set(dirs)].join(path.delimiter),
        HOME: path.join(tmp, 'home'),
        GOMODCACHE: path.join(tmp, 'gomod'),
        GOCACHE: path.join(tmp, 'gocache'),
        // Module files writable, so the temp dir can be removed.
        GOFLAGS: '-modcacherw',
        TMPDIR: tmp,
        TERM: 'dumb',
        ...(process.env['CI'] ? { CI: process.env['CI'] } : {}),
      };
      // A new network namespace has only loopback, and that down: bring it up (services bind to it).
      const offline = (script: string) => $({ cwd: clone, env, nothrow: true, quiet: true })`unshare -n bash -c ${`ip link set lo up && ${script}`}`;

      t0 = performance.now();
      const boot = await offline(`npm run bootstrap -- --from ${pack}`);
      expect(boot.exitCode, `bootstrap --from failed offline:\n${tail(boot.stdout + boot.stderr)}`).toBe(0);
      console.log(`offline bootstrap (${((performance.now() - t0) / 1000).toFixed(0)} s):\n${boot.stdout.split('\n').filter((l) => /^[✓✗] /.test(l)).join('\n')}`);

      t0 = performance.now();
      const check = await offline('pnpm lab 1 check');
      expect(check.exitCode, `pnpm lab 1 check failed offline:\n${tail(check.stdout + check.stderr)}`).toBe(0);
      console.log(`offline pnpm lab 1 check: ${((performance.now() - t0) / 1000).toFixed(0)} s`);

      // The Go labs build offline too: every package of every module (tests included) resolves
      // from the module cache bootstrap filled from the pack (listing compiles nothing).
      const goList = await offline('for d in $(find go -name go.mod -not -path "*/testdata/*" -printf "%h\\n"); do (cd "$d" && go list -deps -test ./... >/dev/null) || exit 1; done');
      expect(goList.exitCode, `go list offline failed:\n${tail(goList.stdout + goList.stderr)}`).toBe(0);

      // bootstrap's pnpm phase installs pnpm from the pack only where pnpm is not at the pin; it
      // is here, so its exact npm command is proven on its own, into a throw-away prefix.
      const pin = (JSON.parse(readFileSync(path.join(root, 'tooling/toolchain/toolchain.json'), 'utf8')) as { tools: { pnpm: { pinned: string } } }).tools.pnpm.pinned;
      const prefix = path.join(tmp, 'npm-global');
      const npmCache = path.join(clone, '.tools/pack/pnpm/npm-cache');
      const pnpmFromPack = await offline(`npm i -g --offline --cache=${npmCache} --prefix ${prefix} pnpm@${pin} >/dev/null && ${prefix}/bin/pnpm --version`);
      expect(pnpmFromPack.exitCode, `pnpm from the pack failed:\n${tail(pnpmFromPack.stdout + pnpmFromPack.stderr)}`).toBe(0);
      expect(pnpmFromPack.stdout.trim()).toBe(pin);

      // A pack for another platform, or of other lockfiles, is refused before anything is
      // installed: one clear line.
      const toolchain = JSON.parse(readFileSync(path.join(root, 'tooling/toolchain/toolchain.json'), 'utf8')) as Parameters<typeof packPins>[0];
      const fakes = [
        { platform: 'plan9-mips', lockfiles: {}, says: /the pack is for plan9-mips, this machine is linux-/ },
        { platform: hostPlatform(), lockfiles: { 'uv.lock': '0'.repeat(64) }, says: /the pack was made from other lockfiles \(uv\.lock not as in this checkout/ },
      ];
      for (const [i, fake] of fakes.entries()) {
        const dir = path.join(tmp, `fake-${i}`);
        mkdirSync(dir);
        writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ schema: 'language-tracks/pack@1', commit: 'f'.repeat(40), platform: fake.platform, pins: packPins(toolchain), lockfiles: fake.lockfiles }));
        await $({ quiet: true })`tar -cf ${`${dir}.tar`} -C ${dir} .`;
        const refused = await offline(`npm run bootstrap -- --from ${dir}.tar`);
        expect(refused.exitCode).not.toBe(0);
        expect(refused.stdout + refused.stderr).toMatch(fake.says);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 30 * 60_000);
});
