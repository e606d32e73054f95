/**
 * node scripts/system-packages.ts install|list — bootstrap's system phase. `list` prints each
 * system tool `pnpm test` needs (toolchain.json `system`), present or missing, with the fix line
 * for this platform. `install` installs the missing ones with the OS package manager where it
 * may (root or passwordless sudo on Debian/Ubuntu and Fedora; Homebrew on macOS), then lists.
 *
 * Exit 0 when every system tool is present at the end, 3 when some are still missing (bootstrap
 * says so and carries on: the doctor row and `pnpm test` name what could not run), 1 when the
 * package manager failed, 2 on bad usage.
 */
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { sudoWithoutPassword } from '../tooling/doctor/doctor.ts';
import { detectPlatform, installCommand, packagesFor, systemFix, systemToolPresent, type Platform } from '../tooling/toolchain/system.ts';
import { loadToolchain, type ToolSpec } from '../tooling/toolchain/tools.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const usage = 'usage: node scripts/system-packages.ts install|list';

const systemTools = (): ToolSpec[] => loadToolchain().tools.filter((t) => t.system !== undefined);
const missingOf = (tools: ToolSpec[]): ToolSpec[] => tools.filter((t) => !systemToolPresent(root, t));

function report(platform: Platform): number {
  const system = systemTools();
  const missing = missingOf(system);
  for (const t of missing) console.log(`missing ${t.label}: ${systemFix(t, platform)}`);
  console.log(missing.length === 0 ? `system tools: all ${system.length} present` : `system tools: ${missing.length} of ${system.length} missing (${missing.map((t) => t.label).join(', ')})`);
  return missing.length === 0 ? 0 : 3;
}

/** Runs the manager's install; on apt, a failure is retried once after `apt-get update` (a fresh machine has no package lists). */
async function install(platform: Platform, packages: string[]): Promise<boolean> {
  const cmd = installCommand(platform, packages);
  if (!cmd) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const attempt = async (argv: string[]): Promise<boolean> => {
    console.log(`$ ${argv.join(' ')}`);
    const out = await $({ env, nothrow: true, quiet: true })`${argv}`;
    process.stdout.write(out.stdout.split('\n').slice(-4).join('\n'));
    if (out.exitCode !== 0) console.log(out.stderr.trimEnd().split('\n').slice(-10).join('\n'));
    return out.exitCode === 0;
  };
  if (await attempt(cmd)) return true;
  if (platform.manager !== 'apt') return false;
  const update = [...(platform.sudo ? ['sudo', '-n'] : []), 'apt-get', 'update', '-q'];
  return (await attempt(update)) && (await attempt(cmd));
}

async function main(): Promise<number> {
  const verb = process.argv[2];
  if (process.argv.length !== 3 || (verb !== 'install' && verb !== 'list')) {
    console.error(usage);
    return 2;
  }
  const platform = await detectPlatform(sudoWithoutPassword);
  if (verb === 'install') {
    const missing = missingOf(systemTools());
    const manager = platform.manager;
    if (missing.length > 0 && manager && platform.privileged) {
      const packages = packagesFor(missing, manager);
      if (packages.length > 0 && !(await install(platform, packages))) {
        report(platform);
        console.log(`system tools: ${manager} could not install ${packages.join(' ')} (output above)`);
        return 1;
      }
    } else if (missing.length > 0) {
      console.log(manager ? `not root and no passwordless sudo: install these yourself (lines below)` : `no package manager bootstrap can use on ${platform.name}: install these yourself (lines below)`);
    }
  }
  return report(platform);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`system-packages: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'failed'}`);
    process.exitCode = 2;
  },
);
